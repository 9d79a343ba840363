package qr

import (
	"bytes"
	"image/png"
	"testing"
)

func TestPNG(t *testing.T) {
	b, err := Renderer{}.PNG("2@abc,def,ghi")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if img.Bounds().Dx() != 256 {
		t.Errorf("width = %d", img.Bounds().Dx())
	}
}
