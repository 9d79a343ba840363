// Package qr renders QR codes as PNG images.
package qr

import (
	"fmt"

	qrcode "github.com/skip2/go-qrcode"
)

// Renderer implements app.QRRenderer with go-qrcode.
type Renderer struct{}

// PNG draws code at 256×256 with medium error correction, what WhatsApp's
// own linking screen uses.
func (Renderer) PNG(code string) ([]byte, error) {
	png, err := qrcode.Encode(code, qrcode.Medium, 256)
	if err != nil {
		return nil, fmt.Errorf("render qr: %w", err)
	}
	return png, nil
}
