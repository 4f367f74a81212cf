package web_test

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"
)

// A build report with a photo goes in through the form; a file that is
// not an image is refused and leaves no report.
func TestReportFormWithPhoto(t *testing.T) {
	base := demoSite(t)
	client := loggedIn(t, base)
	page := base + "/designs/reprap-mendel-style-3d-printer-demo/reports"
	csrf := csrfOf(t, client, page)
	post := func(photo []byte, name string) (int, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range map[string]string{"csrf": csrf, "place": "Nairobi, KE", "part": "Frame / Frame corner bracket", "quantity": "8", "hours": "12", "material_g": "160", "success": "yes", "machines": "Prusa MK3S, Ender 3"} {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("photo", name)
		fw.Write(photo)
		mw.Close()
		res, err := client.Post(page, mw.FormDataContentType(), &buf)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := post([]byte("#!/bin/sh\nrm -rf /\n"), "evil.sh"); code != 422 || !strings.Contains(body, "not a JPEG") {
		t.Errorf("a script as a photo: %d", code)
	}
	var img bytes.Buffer
	png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 8, 8)))
	if code, _ := post(img.Bytes(), "bracket.png"); code != 303 {
		t.Fatalf("report: %d", code)
	}
	res, err := client.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	body := string(b)
	if strings.Count(body, `<li id="r-`) != 1 || !strings.Contains(body, "the part Frame / Frame corner bracket in Nairobi, KE") || !strings.Contains(body, `alt="photo of the build"`) || !strings.Contains(body, "Prusa MK3S, Ender 3") {
		t.Errorf("reports page:\n%s", body)
	}
	// A vote out of range is refused with the reason.
	csrf = csrfOf(t, client, base+"/designs/reprap-mendel-style-3d-printer-demo/maturity")
	res, err = client.PostForm(base+"/designs/reprap-mendel-style-3d-printer-demo/votes", url.Values{"csrf": {csrf}, "scale": {"odrl"}, "level": {"8"}, "reason": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 422 || !strings.Contains(string(b), "1 to 5") {
		t.Errorf("vote out of range: %d", res.StatusCode)
	}
}

// A translated name heads the design page in that language; the page in
// the original language is unchanged.
func TestTranslatedNameOnDesignPage(t *testing.T) {
	base := demoSite(t)
	client := loggedIn(t, base)
	slug := "/designs/reprap-mendel-style-3d-printer-demo"
	csrf := csrfOf(t, client, base+slug+"/translations?lang=sw")
	res, err := client.PostForm(base+slug+"/translations", url.Values{"csrf": {csrf}, "lang": {"sw"}, "key": {"name"}, "text": {"Printa ya 3D ya RepRap"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 303 {
		t.Fatalf("translate: %d", res.StatusCode)
	}
	get := func(path string) string {
		res, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	if body := get(slug + "?lang=sw"); !strings.Contains(body, "<h1>Printa ya 3D ya RepRap</h1>") || !strings.Contains(body, "not translated yet") {
		t.Errorf("Swahili page lacks the name or the notes on untranslated steps")
	}
	if body := get(slug); !strings.Contains(body, "<h1>RepRap Mendel-style 3D printer (demo)</h1>") {
		t.Errorf("the original page changed")
	}
	if body := get(slug + "/translations"); !strings.Contains(body, "?lang=sw") {
		t.Errorf("the completeness table lacks Swahili")
	}
}
