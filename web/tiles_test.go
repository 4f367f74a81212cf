package web_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dgml/dgml/internal/testnode"
)

// writePMTiles writes a raster PMTiles (v3) archive whose every tile of
// zooms 0 to 2 is the same flat magenta PNG: written from the format's
// specification (header, one directory entry run over tile ids 0-20,
// uncompressed directory), to test the node's tile source.
func writePMTiles(t *testing.T, path string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for y := 0; y < 256; y++ {
		for x := 0; x < 256; x++ {
			img.Set(x, y, color.RGBA{R: 0xff, G: 0, B: 0xff, A: 0xff})
		}
	}
	var tile bytes.Buffer
	if err := png.Encode(&tile, img); err != nil {
		t.Fatal(err)
	}
	uv := func(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }
	// One entry: tile id 0, a run of 21 tiles, the data's length, its
	// offset plus one.
	dir := uv(uv(uv(uv(uv(nil, 1), 0), 21), uint64(tile.Len())), 1)
	meta := []byte("{}")
	const headerLen = 127
	h := make([]byte, headerLen)
	copy(h, "PMTiles")
	h[7] = 3
	le := binary.LittleEndian
	dirOff := uint64(headerLen)
	metaOff := dirOff + uint64(len(dir))
	dataOff := metaOff + uint64(len(meta))
	for i, v := range []uint64{dirOff, uint64(len(dir)), metaOff, uint64(len(meta)), dataOff, 0, dataOff, uint64(tile.Len()), 21, 1, 1} {
		le.PutUint64(h[8+8*i:], v)
	}
	h[96], h[97], h[98], h[99], h[100], h[101] = 1, 1, 1, 2, 0, 2 // clustered, no compression, PNG, zooms 0-2
	for i, v := range []int32{-1800000000, -850000000, 1800000000, 850000000} {
		le.PutUint32(h[102+4*i:], uint32(v))
	}
	var out bytes.Buffer
	out.Write(h)
	out.Write(dir)
	out.Write(meta)
	out.Write(tile.Bytes())
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A node configured with a PMTiles archive serves it by ranges and its
// maps draw its tiles.
func TestPMTilesSource(t *testing.T) {
	node := testnode.New(t)
	node.Demo(t, 1, true)
	node.Tiles = filepath.Join(t.TempDir(), "town.pmtiles")
	writePMTiles(t, node.Tiles)
	h, _ := node.Handler(t, 0)
	base := serve(t, h)
	req, _ := http.NewRequest("GET", base+"/tiles/map.pmtiles", nil)
	req.Header.Set("Range", "bytes=0-126")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusPartialContent || len(b) != 127 || string(b[:7]) != "PMTiles" {
		t.Fatalf("a range of the archive: %d, %d bytes", res.StatusCode, len(b))
	}
	res, _ = http.Get(base + "/")
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), `data-pmtiles="/tiles/map.pmtiles"`) || !strings.Contains(res.Header.Get("Content-Security-Policy"), "blob:") {
		t.Fatalf("the home page does not name the tiles, or its policy refuses them")
	}
	ctx := browser(t)
	drawn := `[...document.querySelectorAll("img.leaflet-tile")].filter(i => i.src.startsWith("blob:") && i.complete && i.naturalWidth === 256).length`
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`.map-wrap[data-live="true"]`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](drawn+" > 0", chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("no tile of the archive was drawn: %v", err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](drawn)); n < 1 {
		t.Errorf("%d tiles drawn", n)
	}
}
