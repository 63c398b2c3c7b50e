// Package evidence keeps the files units attach as 佐证材料 — to a task's
// progress report today, to a self-assessment or an appeal next — under one
// set of rules: which kinds of file, how many, how large, stored before the
// record that lists them, and read back only through that record (whose
// owner decides who may see it and whose review status they share).
package evidence

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"

	"pinggu"
)

// Limits of evidence files.
const (
	MaxFiles = 10
	MaxSize  = 10 << 20
)

// types are the files offices attach — documents, sheets, scans, photos —
// each with the signatures its content may start with, so a page or a
// script renamed .pdf is refused (it would otherwise be stored, listed and
// handed to the next person who opens it).
var types = map[string][]string{
	".pdf": {pdf}, ".jpg": {jpeg}, ".jpeg": {jpeg}, ".png": {png},
	".docx": {zip, zipEmpty}, ".xlsx": {zip, zipEmpty}, ".zip": {zip, zipEmpty}, ".ofd": {zip, zipEmpty},
	".doc": {ole, zip}, ".xls": {ole, zip}, ".wps": {ole, zip}, // old Office and WPS files, or newer ones renamed
}

const (
	pdf      = "%PDF-"
	jpeg     = "\xff\xd8\xff"
	png      = "\x89PNG\r\n\x1a\n"
	zip      = "PK\x03\x04"
	zipEmpty = "PK\x05\x06"
	ole      = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
)

// Upload is one file as received.
type Upload struct {
	Name string
	Size int64
	Open func() (io.ReadCloser, error)
}

// Store keeps the files' contents.
type Store interface {
	SaveEvidence(ctx context.Context, name string, content io.Reader) (string, error)
	OpenEvidence(ctx context.Context, id string) (io.ReadCloser, error)
}

// Files checks, stores and opens evidence files.
type Files struct{ store Store }

// New returns the evidence files on a store.
func New(store Store) *Files { return &Files{store: store} }

// Check adds to fe (under "evidence") what is wrong with a batch of
// uploads — count, kind by name, size, and whether the content is of the
// kind its name says — before anything is stored.
func Check(files []Upload, fe pinggu.FieldErrors) {
	if len(files) > MaxFiles {
		fe.Add("evidence", fmt.Sprintf("佐证材料最多%d个文件", MaxFiles))
	}
	for _, f := range files {
		ext := strings.ToLower(filepath.Ext(f.Name))
		starts, ok := types[ext]
		switch {
		case !ok:
			fe.Add("evidence", fmt.Sprintf("“%s”的类型不支持（可上传pdf、doc、docx、xls、xlsx、jpg、png、ofd、wps、zip）", f.Name))
		case f.Size > MaxSize:
			fe.Add("evidence", fmt.Sprintf("“%s”超过%dMB", f.Name, MaxSize>>20))
		case !startsWithOneOf(f, starts):
			fe.Add("evidence", fmt.Sprintf("“%s”的内容不是%s文件（可能是改了扩展名的网页或其他文件），请上传原文件", f.Name, strings.ToUpper(ext[1:])))
		}
	}
}

// startsWithOneOf reads the first bytes of an upload.
func startsWithOneOf(f Upload, starts []string) bool {
	if f.Open == nil {
		return false
	}
	rc, err := f.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	head := make([]byte, 8)
	n, _ := io.ReadFull(rc, head)
	for _, s := range starts {
		if strings.HasPrefix(string(head[:n]), s) {
			return true
		}
	}
	return false
}

// CheckAndSave adds what is wrong with the uploads to fe and, if fe then
// holds any problem (the record's own fields' too), returns it as one
// error under message and stores nothing; otherwise it stores the files.
func (s *Files) CheckAndSave(ctx context.Context, files []Upload, fe pinggu.FieldErrors, message string) ([]pinggu.Evidence, error) {
	Check(files, fe)
	if err := fe.Err(message); err != nil {
		return nil, err
	}
	return s.Save(ctx, files)
}

// Save stores checked uploads and describes them for the record that
// lists them.
func (s *Files) Save(ctx context.Context, files []Upload) ([]pinggu.Evidence, error) {
	var out []pinggu.Evidence
	for _, f := range files {
		ev, err := s.save(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

func (s *Files) save(ctx context.Context, f Upload) (pinggu.Evidence, error) {
	rc, err := f.Open()
	if err != nil {
		return pinggu.Evidence{}, pinggu.Wrap(pinggu.Malformed, err, "无法读取上传的文件")
	}
	defer rc.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(rc, head)
	id, err := s.store.SaveEvidence(ctx, f.Name, io.MultiReader(strings.NewReader(string(head[:n])), io.LimitReader(rc, MaxSize)))
	if err != nil {
		return pinggu.Evidence{}, err
	}
	return pinggu.Evidence{ID: id, Name: f.Name, Size: f.Size, ContentType: http.DetectContentType(head[:n])}, nil
}

// Open streams one of a record's files by its id; a file the record does
// not list is not found.
func (s *Files) Open(ctx context.Context, listed []pinggu.Evidence, id string) (*pinggu.Evidence, io.ReadCloser, error) {
	for _, e := range listed {
		if e.ID == id {
			rc, err := s.store.OpenEvidence(ctx, e.ID)
			return &e, rc, err
		}
	}
	return nil, nil, pinggu.Errorf(pinggu.NotFound, "佐证材料%s不存在", id)
}
