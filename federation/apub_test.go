package federation_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-fed/httpsig"

	"github.com/dgml/dgml/federation"
	"github.com/dgml/dgml/jobs"
)

// fediverse is a stand-in for a Mastodon-class server, written from the
// ActivityPub and HTTP Signatures documents (no such server runs here):
// an actor with an RSA key, that signs what it sends as Mastodon does
// ((request-target) host date digest, rsa-sha256) and checks the
// signatures of what it receives against the sender's published key.
type fediverse struct {
	srv   *httptest.Server
	key   *rsa.PrivateKey
	mu    sync.Mutex
	got   []map[string]any
	taint []string // why a received activity was not believed
}

func newFediverse(t *testing.T) *fediverse {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fediverse{key: k}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/ana", func(w http.ResponseWriter, r *http.Request) {
		der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
		w.Header().Set("Content-Type", "application/activity+json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": f.actor(), "type": "Person", "preferredUsername": "ana", "inbox": f.srv.URL + "/users/ana/inbox",
			"publicKey": map[string]string{"id": f.actor() + "#main-key", "owner": f.actor(), "publicKeyPem": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))},
		})
	})
	mux.HandleFunc("POST /users/ana/inbox", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var a map[string]any
		json.Unmarshal(body, &a)
		if why := f.check(r, a); why != "" {
			f.mu.Lock()
			f.taint = append(f.taint, why)
			f.mu.Unlock()
			http.Error(w, why, http.StatusUnauthorized)
			return
		}
		f.mu.Lock()
		f.got = append(f.got, a)
		f.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fediverse) actor() string { return f.srv.URL + "/users/ana" }

// check verifies a delivery's signature with the key its sender's actor
// document shows.
func (f *fediverse) check(r *http.Request, a map[string]any) string {
	v, err := httpsig.NewVerifier(r)
	if err != nil {
		return "unsigned: " + err.Error()
	}
	actor, _ := a["actor"].(string)
	if !strings.HasPrefix(v.KeyId(), actor+"#") {
		return "signed by another key than the actor's"
	}
	res, err := http.Get(actor)
	if err != nil {
		return err.Error()
	}
	defer res.Body.Close()
	var doc struct {
		PublicKey struct{ PublicKeyPem string }
	}
	json.NewDecoder(res.Body).Decode(&doc)
	block, _ := pem.Decode([]byte(doc.PublicKey.PublicKeyPem))
	if block == nil {
		return "no key"
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return err.Error()
	}
	if err := v.Verify(pub, httpsig.RSA_SHA256); err != nil {
		return "bad signature: " + err.Error()
	}
	return ""
}

// send posts an activity to an inbox, signed with key as Mastodon signs.
func (f *fediverse) send(t *testing.T, inbox string, a map[string]any, key *rsa.PrivateKey, keyID string, tamper func(*http.Request)) int {
	t.Helper()
	body, _ := json.Marshal(a)
	req, _ := http.NewRequest("POST", inbox, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/activity+json")
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("Host", req.URL.Host)
	if key != nil {
		s, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256, []string{httpsig.RequestTarget, "host", "date", "digest"}, httpsig.Signature, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SignRequest(key, keyID, req, body); err != nil {
			t.Fatal(err)
		}
	}
	if tamper != nil {
		tamper(req)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// runJobs runs the node's queued deliveries now.
func runJobs(t *testing.T, p *peer) {
	t.Helper()
	r := &jobs.Runner{Store: p.DB, Worker: "test", Lease: time.Minute}
	r.Handle(federation.FediKind, p.fed.DeliverFedi)
	r.Handle(federation.DeliverKind, p.fed.Deliver)
	for {
		ran, err := r.RunOne(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

// A fediverse account finds the node by WebFinger, follows it with a
// signed Follow, gets a signed Accept, and then a signed Create for each
// new design; forged, unsigned and tampered follows are refused; an Undo
// stops the deliveries.
func TestFediverseFollow(t *testing.T) {
	a := newPeer(t, "athens")
	fv := newFediverse(t)

	res, err := http.Get(a.srv.URL + "/.well-known/webfinger?resource=acct:commons@athens.test")
	if err != nil {
		t.Fatal(err)
	}
	var jrd struct {
		Links []struct{ Rel, Type, Href string }
	}
	json.NewDecoder(res.Body).Decode(&jrd)
	res.Body.Close()
	actorURL := ""
	for _, l := range jrd.Links {
		if l.Rel == "self" && l.Type == "application/activity+json" {
			actorURL = l.Href
		}
	}
	if actorURL != a.srv.URL+"/ap/actor" {
		t.Fatalf("webfinger: %+v", jrd)
	}
	inbox := a.srv.URL + "/ap/inbox"
	follow := map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": fv.actor() + "#follows/1", "type": "Follow", "actor": fv.actor(), "object": actorURL}

	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	for name, c := range map[string]struct {
		key    *rsa.PrivateKey
		keyID  string
		tamper func(*http.Request)
	}{
		"unsigned":      {nil, "", nil},
		"another key":   {other, fv.actor() + "#main-key", nil},
		"another actor": {fv.key, "https://elsewhere.example/users/eve#main-key", nil},
		"body changed": {fv.key, fv.actor() + "#main-key", func(r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(bytes.Replace(b, []byte("follows/1"), []byte("follows/2"), 1)))
		}},
		"stale": {fv.key, fv.actor() + "#main-key", func(r *http.Request) { r.Header.Set("Date", time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)) }},
	} {
		if code := fv.send(t, inbox, follow, c.key, c.keyID, c.tamper); code != http.StatusUnauthorized {
			t.Errorf("%s follow: %d", name, code)
		}
	}
	if fs, _ := a.DB.FediFollowers(ctx); len(fs) != 0 {
		t.Fatalf("refused follows were kept: %v", fs)
	}

	if code := fv.send(t, inbox, follow, fv.key, fv.actor()+"#main-key", nil); code != http.StatusAccepted {
		t.Fatalf("follow: %d", code)
	}
	runJobs(t, a)
	a.commit(t, "Fediverse Lamp")
	runJobs(t, a)
	fv.mu.Lock()
	got, taint := fv.got, fv.taint
	fv.mu.Unlock()
	if len(taint) > 0 {
		t.Fatalf("the node's deliveries did not check out: %v", taint)
	}
	if len(got) != 2 || got[0]["type"] != "Accept" || got[1]["type"] != "Create" {
		t.Fatalf("delivered: %v", got)
	}
	note, _ := got[1]["object"].(map[string]any)
	if content, _ := note["content"].(string); !strings.Contains(content, "Fediverse Lamp") {
		t.Errorf("the Create: %v", got[1])
	}
	// The outbox lists it too.
	res, _ = http.Get(a.srv.URL + "/ap/outbox?page=1")
	ob, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(ob), "Fediverse Lamp") {
		t.Errorf("outbox: %.300s", ob)
	}

	undo := map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": fv.actor() + "#undo/1", "type": "Undo", "actor": fv.actor(), "object": follow}
	if code := fv.send(t, inbox, undo, fv.key, fv.actor()+"#main-key", nil); code != http.StatusAccepted {
		t.Fatalf("undo: %d", code)
	}
	a.commit(t, "Quiet Lamp")
	runJobs(t, a)
	fv.mu.Lock()
	defer fv.mu.Unlock()
	if len(fv.got) != 2 {
		t.Errorf("deliveries after the undo: %d", len(fv.got))
	}
}
