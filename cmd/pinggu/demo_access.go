package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"

	"pinggu"
	"pinggu/auth"
	"pinggu/server"
	"pinggu/store"
)

// demoAccessFile keeps a demo's administrator token and console account
// beside its data (readable by this user only), so restarting the demo on
// the same folder keeps them. A demo convenience: serve never writes it.
const demoAccessFile = "demo-access.json"

type demoAccess struct {
	Token    string `json:"token"`
	User     string `json:"user"`
	Password string `json:"password"`
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// loadDemoAccess reads the kept access of a data folder, if any and still
// valid for this database (its token is the one whose hash is stored).
func loadDemoAccess(dir string, sec *store.Secrets) (*demoAccess, bool) {
	b, err := os.ReadFile(filepath.Join(dir, demoAccessFile))
	if err != nil {
		return nil, false
	}
	var d demoAccess
	if json.Unmarshal(b, &d) != nil || d.Token == "" || server.HashToken(d.Token) != sec.AdminTokenHash {
		return nil, false
	}
	return &d, true
}

// demoToken is the demo's administrator token and account: the kept
// ones, else new ones written beside the data.
func demoToken(ctx context.Context, dir string, st *store.Store, sec *store.Secrets, out io.Writer) (*demoAccess, error) {
	d, ok := loadDemoAccess(dir, sec)
	if !ok {
		d = &demoAccess{Token: randomHex(32), User: "demo", Password: "demo-" + randomHex(6)}
		if err := st.SetAdminTokenHash(ctx, server.HashToken(d.Token)); err != nil {
			return nil, err
		}
		if err := writeDemoAccess(dir, d); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(out, "admin token: %s\n  (kept in %s for restarts of this demo; use it as Authorization: Bearer <token>)\n",
		d.Token, filepath.Join(dir, demoAccessFile))
	return d, nil
}

func writeDemoAccess(dir string, d *demoAccess) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(d, "", "  ")
	return os.WriteFile(filepath.Join(dir, demoAccessFile), b, 0o600)
}

// demoAccount makes sure the demo's console account exists with its kept
// password, and says where to sign in.
func demoAccount(ctx context.Context, d *demoAccess, a *auth.Service, base string, out io.Writer) error {
	_, err := a.AddUser(pinggu.WithActor(ctx, "demo"), d.User, pinggu.RoleAdmin, "", d.Password)
	if err != nil && pinggu.ErrorCode(err) != pinggu.Conflict {
		return err
	}
	fmt.Fprintf(out, "console: %s/admin  (sign in as %s, password %s)\n", base, d.User, d.Password)
	return nil
}

// lanURL is a URL a phone on the same network can open: the first
// non-loopback IPv4 address of this machine with the listening port, or
// ok false when there is none or the server listens on loopback only.
func lanURL(listen net.Addr) (string, bool) {
	host, port, err := net.SplitHostPort(listen.String())
	if err != nil {
		return "", false
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return "", false
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return "", false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil && !n.IP.IsLinkLocalUnicast() {
			return "http://" + net.JoinHostPort(n.IP.String(), port), true
		}
	}
	return "", false
}
