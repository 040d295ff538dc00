package portal

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math"
	"mime"
	"net/http"
	"path"
	"strconv"
	"time"

	"portico/internal/portico"
	"portico/internal/web/portal/brandcss"
)

//go:embed static
var staticFS embed.FS

// defaultPrimary is the theme colour of a brand that set none.
const defaultPrimary = "#2563eb"

// brandCSS serves the brand's theme as a stylesheet (the CSP allows no
// inline style): its colour as CSS variables, then its custom CSS after
// sanitising, so it can neither run script nor load from other origins.
func (h *Handler) brandCSS(w http.ResponseWriter, r *http.Request, v *visit) error {
	primary := v.Brand.PrimaryColor
	if primary == "" {
		primary = defaultPrimary
	}
	custom, _ := brandcss.Sanitize(v.Brand.CustomCSS)
	css := fmt.Sprintf(":root {\n  --brand-primary: %s;\n  --brand-on-primary: %s;\n}\n%s\n", primary, onColor(primary), custom)
	serveBytes(w, r, "text/css; charset=utf-8", []byte(css))
	return nil
}

// onColor picks black or white text, whichever contrasts more with the
// background colour bg ("#rrggbb"), using WCAG relative luminance.
func onColor(bg string) string {
	n, err := strconv.ParseUint(bg[1:], 16, 32)
	if err != nil {
		return "#ffffff"
	}
	lum := 0.0
	for i, weight := range []float64{0.2126, 0.7152, 0.0722} {
		c := float64(n>>(16-8*i)&0xff) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		lum += weight * c
	}
	// Contrast with white is 1.05/(L+0.05), with black (L+0.05)/0.05;
	// they are equal at L ≈ 0.179.
	if lum > 0.179 {
		return "#000000"
	}
	return "#ffffff"
}

// logo serves the brand's logo, stored as an image checked on upload.
func (h *Handler) logo(w http.ResponseWriter, r *http.Request, v *visit) error {
	if !v.Brand.HasLogo {
		return portico.Errorf(portico.ENOTFOUND, "This portal has no logo.")
	}
	data, ct, err := h.svc.BrandLogo(r.Context(), v.Brand)
	if err != nil {
		return err
	}
	serveBytes(w, r, ct, data)
	return nil
}

// serveStatic serves the portal's own assets, the same for every brand.
func serveStatic(w http.ResponseWriter, r *http.Request, _ *visit) error {
	name := path.Clean(r.URL.Path)[1:]
	data, err := fs.ReadFile(staticFS, name)
	if err != nil {
		return portico.Errorf(portico.ENOTFOUND, "Page not found.")
	}
	serveBytes(w, r, mime.TypeByExtension(path.Ext(name)), data)
	return nil
}

// serveBytes serves content with an ETag of its hash: browsers revalidate
// each time (no-cache) and mostly get 304, and a changed brand shows at once.
func serveBytes(w http.ResponseWriter, r *http.Request, contentType string, content []byte) {
	sum := sha256.Sum256(content)
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:12])+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(content))
}
