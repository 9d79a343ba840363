package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
)

// demoPNG draws a small "product photo": a gradient with a few stripes,
// its hue shifted by n so the inbox shows different pictures.
func demoPNG(n int) []byte {
	const w, h = 320, 200
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	shift := uint8(n * 53)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{R: uint8(x*255/w) + shift, G: uint8(y * 255 / h), B: 200 - shift, A: 255}
			if (x+y)/24%4 == 0 {
				c = color.RGBA{R: 250, G: 250, B: 250, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // encoding an in-memory RGBA into a buffer cannot fail
	}
	return b.Bytes()
}

// demoOpus is a voice note: 1.5 s of silence in Ogg/Opus (RFC 7845), as
// a phone records it, built by hand so the demo needs no encoder.
func demoOpus() []byte {
	const packets = 75 // of 20 ms each
	head := []byte("OpusHead")
	head = append(head, 1, 1) // version, mono
	head = binary.LittleEndian.AppendUint16(head, 312)
	head = binary.LittleEndian.AppendUint32(head, 48000)
	head = append(head, 0, 0, 0) // gain, mapping family

	vendor := "zapdemo"
	tags := []byte("OpusTags")
	tags = binary.LittleEndian.AppendUint32(tags, uint32(len(vendor)))
	tags = append(tags, vendor...)
	tags = binary.LittleEndian.AppendUint32(tags, 0)

	// TOC 0xF8: CELT fullband 20 ms, one frame; 0xFF 0xFE decodes to silence.
	silence := []byte{0xF8, 0xFF, 0xFE}
	audio := make([][]byte, packets)
	for i := range audio {
		audio[i] = silence
	}

	var out []byte
	out = oggPage(out, 0x02, 0, 0, [][]byte{head})
	out = oggPage(out, 0, 0, 1, [][]byte{tags})
	out = oggPage(out, 0x04, packets*960, 2, audio)
	return out
}

// oggPage appends one Ogg page holding packets, each shorter than 255
// bytes (one lacing value each).
func oggPage(out []byte, flags byte, granule uint64, seq uint32, packets [][]byte) []byte {
	start := len(out)
	out = append(out, "OggS"...)
	out = append(out, 0, flags)
	out = binary.LittleEndian.AppendUint64(out, granule)
	out = binary.LittleEndian.AppendUint32(out, 0x7A617064) // stream serial
	out = binary.LittleEndian.AppendUint32(out, seq)
	out = binary.LittleEndian.AppendUint32(out, 0) // checksum, set below
	out = append(out, byte(len(packets)))
	for _, p := range packets {
		out = append(out, byte(len(p)))
	}
	for _, p := range packets {
		out = append(out, p...)
	}
	binary.LittleEndian.PutUint32(out[start+22:], oggCRC(out[start:]))
	return out
}

// oggCRC is Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, zero
// initial value (unlike hash/crc32's IEEE).
func oggCRC(b []byte) uint32 {
	var crc uint32
	for _, c := range b {
		crc ^= uint32(c) << 24
		for range 8 {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04C11DB7
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
