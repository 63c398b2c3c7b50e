package pinggu

import (
	"crypto/sha256"
	"encoding/hex"
)

// HashToken is how bearer tokens are kept: hex SHA-256. Tokens are 256-bit
// random values, so a fast hash is enough and a stolen database holds none.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
