package cli

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// The demo never writes into a real installation: it refuses PostgreSQL
// and a folder that already holds a database, and without --data it makes
// a new temporary folder.
func TestDemoNeedsAThrowawayFolder(t *testing.T) {
	c := ServeConfig{DB: DBConfig{Data: t.TempDir(), DatabaseURL: "postgres://x"}}
	if err := prepareDemo(&c, io.Discard); err == nil {
		t.Error("--demo accepted --database-url")
	}
	used := t.TempDir()
	os.WriteFile(filepath.Join(used, "portico.db"), []byte("x"), 0o600)
	c = ServeConfig{DB: DBConfig{Data: used}}
	if err := prepareDemo(&c, io.Discard); err == nil {
		t.Error("--demo accepted a folder with a database")
	}
	c = ServeConfig{DB: DBConfig{Data: "./data"}}
	if err := prepareDemo(&c, io.Discard); err != nil || c.DB.Data == "./data" {
		t.Errorf("default folder: %v, data %q; want a new temporary folder", err, c.DB.Data)
	}
	os.RemoveAll(c.DB.Data)
}
