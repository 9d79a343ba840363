package app

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/zapgate/zapgate/domain"
)

// QRKey is where the PNG of a QR code is stored.
func QRKey(code string) string {
	sum := sha256.Sum256([]byte(code))
	return "qr/" + hex.EncodeToString(sum[:]) + ".png"
}

var (
	errAlreadyConnected = domain.Conflict("already_connected", "the instance is already linked to a phone")
	errQRUnavailable    = domain.Conflict("qr_unavailable", "no QR code yet: the session is starting, try again in a moment")
	errNotConnected     = domain.Conflict("not_connected", "the instance is not connected")
)
