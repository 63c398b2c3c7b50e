package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"pinggu"
	"pinggu/auth"
	"pinggu/store"
)

// userCommand is `pinggu user add --role admin --name NAME [--unit CODE]`:
// it creates a console account, asking for the password on a terminal
// (twice, not echoed) or reading its first line from standard input.
func userCommand(ctx context.Context, args []string, cfg config, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: pinggu user add --role admin|assessor|reporter --name NAME [--unit CODE]")
	}
	fs := flag.NewFlagSet("pinggu user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	role := fs.String("role", "", "admin, assessor or reporter")
	name := fs.String("name", "", "user name (3–40 lowercase letters, digits, . - _)")
	unit := fs.String("unit", "", "the unit of a reporter")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory of the embedded database")
	fs.StringVar(&cfg.MongoURI, "mongo", cfg.MongoURI, "MongoDB URI (empty: embedded FerretDB)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	password, err := readPassword(stdin, stdout)
	if err != nil {
		return err
	}
	st, err := openStoreAlone(ctx, cfg, stderr, fmt.Sprintf("add the account on the running server:\n"+
		"  curl -X POST <server>/api/v1/users -H 'Authorization: Bearer <admin token>' -H 'Content-Type: application/json' \\\n"+
		"    -d '{\"name\":\"%s\",\"role\":\"%s\",\"unit\":\"%s\",\"password\":\"…\"}'", *name, *role, *unit))
	if err != nil {
		return err
	}
	defer st.Close(context.Background())
	u, err := auth.New(st, time.Now, auth.Policy{}).AddUser(ctx, *name, pinggu.Role(*role), *unit, password)
	if err != nil {
		if fe := pinggu.ErrorFields(err); fe != nil {
			return fmt.Errorf("%s: %s", pinggu.ErrorMessage(err), fe)
		}
		return err
	}
	fmt.Fprintf(stdout, "user %s added as %s\n", u.Name, pinggu.RoleLabel(u.Role))
	return nil
}

func readPassword(stdin io.Reader, stdout io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stdout, "密码: ")
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stdout, "再次输入密码: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		if string(p1) != string(p2) {
			return "", errors.New("两次输入的密码不一致")
		}
		return string(p1), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// openStoreAlone opens the store for a one-off command (user add, repair)
// with only its errors logged. Beside a running server on the same
// embedded data folder it says to stop the server first, or instead.
func openStoreAlone(ctx context.Context, cfg config, stderr io.Writer, instead string) (*store.Store, error) {
	quiet := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	st, err := store.Open(ctx, store.Config{URI: cfg.MongoURI, DataDir: cfg.DataDir, Logger: quiet})
	if errors.Is(err, store.ErrDataInUse) {
		return nil, fmt.Errorf("a running pinggu holds the data folder %s: stop it first, or %s", cfg.DataDir, instead)
	}
	return st, err
}
