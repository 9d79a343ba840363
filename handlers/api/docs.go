package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sync"

	"github.com/gofiber/fiber/v2"
	"gopkg.in/yaml.v3"
)

// openapiDoc is the OpenAPI 3 document of the whole API; whoever adds a
// route documents it there (openapi_test.go checks).
//
//go:embed openapi.yaml
var openapiDoc []byte

// docsPage renders openapiDoc in a browser without any outside resource.
//
//go:embed docs.html
var docsPage []byte

// specMarker is where docs serves the document inline, so the page needs
// no second request; the page fetches /openapi.json when it is absent.
var specMarker = []byte("/*OPENAPI_JSON*/null")

var openapiJSONOnce = sync.OnceValues(func() ([]byte, error) { return yamlToJSON(openapiDoc) })

var docsPageOnce = sync.OnceValue(func() []byte {
	doc, err := openapiJSONOnce()
	if err != nil {
		return docsPage // the page then fetches the document and reports the error
	}
	return bytes.Replace(docsPage, specMarker, doc, 1)
})

func (s *Server) openapiYAML(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "application/yaml; charset=utf-8")
	return c.Send(openapiDoc)
}

func (s *Server) openapiJSON(c *fiber.Ctx) error {
	doc, err := openapiJSONOnce()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(doc)
}

func (s *Server) docs(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(docsPageOnce())
}

// yamlToJSON converts a YAML document to JSON, keeping the order of every
// mapping so the docs page lists things as the document does. Mapping keys
// become strings (`200:` is "200"). encoding/json escapes <, > and &, so
// the result is safe inside an HTML <script> element.
func yamlToJSON(doc []byte) ([]byte, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	var buf bytes.Buffer
	if err := writeJSON(&buf, &root); err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	return buf.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return fmt.Errorf("line %d: want one document", n.Line)
		}
		return writeJSON(buf, n.Content[0])
	case yaml.AliasNode:
		return writeJSON(buf, n.Alias)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: mapping keys must be scalars", k.Line)
			}
			if i > 0 {
				buf.WriteByte(',')
			}
			key, _ := json.Marshal(k.Value)
			buf.Write(key)
			buf.WriteByte(':')
			if err := writeJSON(buf, v); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, e := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		if f, ok := v.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
			return fmt.Errorf("line %d: %v has no JSON form", n.Line, f)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		buf.Write(b)
		return nil
	default:
		return fmt.Errorf("line %d: unexpected YAML node", n.Line)
	}
}
