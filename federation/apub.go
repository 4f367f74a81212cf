package federation

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/go-fed/httpsig"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/feed"
	"github.com/dgml/dgml/identity"
	"github.com/dgml/dgml/jobs"
)

// The node's face to the fediverse: an ActivityPub actor (a Service)
// that Mastodon-class software can find by WebFinger and follow, whose
// outbox lists the node's new designs and revisions, and which delivers
// them to its followers' inboxes with HTTP signatures (draft-cavage,
// rsa-sha256: what Mastodon verifies). The node's own log stays the
// source of truth between dgml nodes; this is for people.

// Fedi needs the settings store, to keep the actor's RSA key sealed.
type Fedi interface {
	Setting(ctx context.Context, key string) (string, bool, error)
	PutSetting(ctx context.Context, key, value string) error
}

const (
	apKeySetting = "activitypub.key" // sealed PKCS#8
	apUser       = "commons"         // acct:commons@domain
	asPublic     = "https://www.w3.org/ns/activitystreams#Public"
	// maxActivity bounds an activity posted to the inbox, and an actor
	// document fetched to check a signature.
	maxActivity = 256 << 10
	// FediKind is the job that delivers an activity to followers.
	FediKind = "activitypub.deliver"
)

var apContext = []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"}

// actorURL and friends are the node's ActivityPub addresses.
func (s *Service) actorURL() string { return s.URL + "/ap/actor" }

// rsaKey is the actor's key, made on first use and kept sealed.
func (s *Service) rsaKey(ctx context.Context) (*rsa.PrivateKey, error) {
	s.mu.Lock()
	k := s.apKey
	s.mu.Unlock()
	if k != nil {
		return k, nil
	}
	if s.Settings == nil {
		return nil, errors.New("no settings store for the fediverse key")
	}
	v, ok, err := s.Settings.Setting(ctx, apKeySetting)
	if err != nil {
		return nil, err
	}
	if ok {
		sealed, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, err
		}
		der, err := identity.OpenSecret(sealed, s.passphrase)
		if err != nil {
			return nil, err
		}
		pk, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return nil, err
		}
		k, ok = pk.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("the fediverse key is not RSA")
		}
	} else {
		if k, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, err
		}
		sealed, err := identity.SealSecret(der, s.passphrase)
		if err != nil {
			return nil, err
		}
		if err := s.Settings.PutSetting(ctx, apKeySetting, base64.StdEncoding.EncodeToString(sealed)); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	s.apKey = k
	s.mu.Unlock()
	return k, nil
}

// WebFinger answers acct:commons@DOMAIN (the node's handle domain, or
// its address's host) with the actor's address.
func (s *Service) WebFinger(resource string) (map[string]any, error) {
	u, _ := url.Parse(s.URL)
	want := map[string]bool{"acct:" + apUser + "@" + s.Domain: true, s.actorURL(): true}
	if u != nil {
		want["acct:"+apUser+"@"+u.Host] = true
	}
	if !want[resource] {
		return nil, &dgml.Error{Kind: dgml.NotFound, Field: "resource", Msg: "this node's fediverse account is acct:" + apUser + "@" + s.Domain}
	}
	return map[string]any{
		"subject": resource,
		"aliases": []string{s.actorURL()},
		"links": []map[string]string{
			{"rel": "self", "type": "application/activity+json", "href": s.actorURL()},
			{"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": s.URL + "/"},
		},
	}, nil
}

// Actor is the node's actor document.
func (s *Service) Actor(ctx context.Context) (map[string]any, error) {
	k, err := s.rsaKey(ctx)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"@context":                  apContext,
		"id":                        s.actorURL(),
		"type":                      "Service",
		"preferredUsername":         apUser,
		"name":                      s.Name + " (dgml)",
		"summary":                   "New open hardware designs and revisions in the commons of " + html.EscapeString(s.Name) + ".",
		"url":                       s.URL + "/",
		"inbox":                     s.URL + "/ap/inbox",
		"outbox":                    s.URL + "/ap/outbox",
		"followers":                 s.URL + "/ap/followers",
		"manuallyApprovesFollowers": false,
		"publicKey": map[string]any{
			"id":           s.actorURL() + "#main-key",
			"owner":        s.actorURL(),
			"publicKeyPem": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
		},
	}, nil
}

// designActivity is the Create (first revision) or Update of a design
// entry of the log, as the fediverse shows it: a note linking the design.
func (s *Service) designActivity(e *feed.Entry) (map[string]any, error) {
	var de DesignEntry
	if err := json.Unmarshal(e.Object, &de); err != nil {
		return nil, err
	}
	kind, verb := "Create", "New design"
	if de.Number > 1 {
		kind, verb = "Update", "New revision of"
	}
	link := s.URL + "/designs/" + de.ID
	note := map[string]any{
		"id":            fmt.Sprintf("%s/ap/notes/%d", s.URL, e.Seq),
		"type":          "Note",
		"attributedTo":  s.actorURL(),
		"published":     e.Created,
		"url":           link,
		"to":            []string{asPublic},
		"cc":            []string{s.URL + "/ap/followers"},
		"content":       fmt.Sprintf(`<p>%s: <a href="%s">%s</a></p>`, verb, html.EscapeString(link), html.EscapeString(de.Name)),
		"dgml:revision": de.Revision,
	}
	return map[string]any{
		"@context":  apContext,
		"id":        fmt.Sprintf("%s/ap/activities/%d", s.URL, e.Seq),
		"type":      kind,
		"actor":     s.actorURL(),
		"published": e.Created,
		"to":        []string{asPublic},
		"cc":        []string{s.URL + "/ap/followers"},
		"object":    note,
	}, nil
}

// Outbox pages the node's design activities, newest first, 20 a page;
// page 0 is the collection itself.
func (s *Service) Outbox(ctx context.Context, page int) (map[string]any, error) {
	node := s.Node()
	var designs []feed.Entry
	for after := uint64(0); ; {
		bodies, err := s.Store.Entries(ctx, node, after, 1000)
		if err != nil {
			return nil, err
		}
		for _, b := range bodies {
			var e feed.Entry
			if err := json.Unmarshal(b, &e); err != nil {
				return nil, err
			}
			after = e.Seq
			if e.Kind == feed.KindDesign {
				designs = append(designs, e)
			}
		}
		if len(bodies) < 1000 {
			break
		}
	}
	base := s.URL + "/ap/outbox"
	if page <= 0 {
		return map[string]any{"@context": apContext, "id": base, "type": "OrderedCollection", "totalItems": len(designs), "first": base + "?page=1"}, nil
	}
	const per = 20
	var items []any
	for i := len(designs) - 1 - (page-1)*per; i >= 0 && len(items) < per; i-- {
		a, err := s.designActivity(&designs[i])
		if err != nil {
			return nil, err
		}
		delete(a, "@context")
		items = append(items, a)
	}
	out := map[string]any{"@context": apContext, "id": fmt.Sprintf("%s?page=%d", base, page), "type": "OrderedCollectionPage", "partOf": base, "orderedItems": items}
	if page*per < len(designs) {
		out["next"] = fmt.Sprintf("%s?page=%d", base, page+1)
	}
	return out, nil
}

// Followers is the follower collection: how many, not who.
func (s *Service) Followers(ctx context.Context) (map[string]any, error) {
	fs, err := s.Store.FediFollowers(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]any{"@context": apContext, "id": s.URL + "/ap/followers", "type": "OrderedCollection", "totalItems": len(fs)}, nil
}

var signedHeadersRe = regexp.MustCompile(`headers="([^"]*)"`)

// Inbox takes an activity posted to the actor: Follow and Undo of a
// Follow. The request must be signed (draft-cavage: (request-target),
// host, date and digest at least) by the key of the actor the activity
// names, its Digest must match the body and its Date be now; the key is
// fetched from the actor's own document.
func (s *Service) Inbox(ctx context.Context, r *http.Request, body []byte) error {
	if len(body) > maxActivity {
		return &dgml.Error{Kind: dgml.TooLarge, Msg: "an activity of at most 256 KiB"}
	}
	var act struct {
		ID     string          `json:"id"`
		Type   string          `json:"type"`
		Actor  string          `json:"actor"`
		Object json.RawMessage `json:"object"`
	}
	if err := json.Unmarshal(body, &act); err != nil {
		return &dgml.Error{Kind: dgml.Invalid, Msg: "not an activity: " + err.Error()}
	}
	if err := s.checkSignature(ctx, r, body, act.Actor); err != nil {
		return err
	}
	switch act.Type {
	case "Follow":
		var obj string
		if json.Unmarshal(act.Object, &obj) != nil || obj != s.actorURL() {
			return &dgml.Error{Kind: dgml.Invalid, Field: "object", Msg: "follow " + s.actorURL()}
		}
		inbox, err := s.actorInbox(ctx, act.Actor)
		if err != nil {
			return err
		}
		accept := map[string]any{
			"@context": apContext, "id": s.URL + "/ap/accepts/" + sha256Hex([]byte(act.ID))[:16], "type": "Accept",
			"actor": s.actorURL(), "object": json.RawMessage(body),
		}
		return s.Tx.Atomically(ctx, func(ctx context.Context) error {
			if err := s.Store.PutFediFollower(ctx, act.Actor, inbox); err != nil {
				return err
			}
			return s.enqueueFedi(ctx, accept, []string{inbox})
		})
	case "Undo":
		var inner struct {
			Type  string `json:"type"`
			Actor string `json:"actor"`
		}
		if json.Unmarshal(act.Object, &inner) == nil && inner.Type == "Follow" && inner.Actor == act.Actor {
			return s.Store.RemoveFediFollower(ctx, act.Actor)
		}
	}
	return nil // other activities are not for a node's commons account
}

// checkSignature verifies an inbox request's HTTP signature against the
// key of the actor it claims to come from.
func (s *Service) checkSignature(ctx context.Context, r *http.Request, body []byte, actor string) error {
	unauth := func(msg string) error { return &dgml.Error{Kind: dgml.Unauthorized, Msg: msg} }
	sig := r.Header.Get("Signature")
	m := signedHeadersRe.FindStringSubmatch(sig)
	if m == nil {
		return unauth("sign the request (HTTP Signatures, with (request-target), host, date and digest)")
	}
	signed := strings.Fields(strings.ToLower(m[1]))
	for _, h := range []string{"(request-target)", "host", "date", "digest"} {
		if !contains(signed, h) {
			return unauth("the signature must cover " + h)
		}
	}
	date, err := http.ParseTime(r.Header.Get("Date"))
	if err != nil || time.Since(date).Abs() > maxSkew {
		return unauth("the request's Date must be now")
	}
	sum := sha256.Sum256(body)
	if r.Header.Get("Digest") != "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]) {
		return unauth("the Digest does not match the body")
	}
	v, err := httpsig.NewVerifier(r)
	if err != nil {
		return unauth("the signature: " + err.Error())
	}
	keyID := v.KeyId()
	if k, _, _ := strings.Cut(keyID, "#"); k != actor {
		return unauth("the signing key is not the actor's")
	}
	pub, err := s.actorKey(ctx, keyID, actor)
	if err != nil {
		return err
	}
	if err := v.Verify(pub, httpsig.RSA_SHA256); err != nil {
		return unauth("the signature does not match the actor's key")
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// fetchActor reads an actor document, bounded.
func (s *Service) fetchActor(ctx context.Context, actor string) (map[string]json.RawMessage, error) {
	u, err := url.Parse(actor)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "actor", Msg: "an actor is an http(s) address"}
	}
	req, err := http.NewRequestWithContext(ctx, "GET", actor, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`)
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "the actor cannot be read: " + err.Error()}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "the actor cannot be read: " + resp.Status}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxActivity))
	if err != nil {
		return nil, err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "the actor's document: " + err.Error()}
	}
	return doc, nil
}

func (s *Service) actorKey(ctx context.Context, keyID, actor string) (crypto.PublicKey, error) {
	doc, err := s.fetchActor(ctx, actor)
	if err != nil {
		return nil, err
	}
	var pk struct {
		ID    string `json:"id"`
		Owner string `json:"owner"`
		PEM   string `json:"publicKeyPem"`
	}
	if err := json.Unmarshal(doc["publicKey"], &pk); err != nil || pk.ID != keyID || pk.Owner != actor {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "the actor does not show the key that signed"}
	}
	block, _ := pem.Decode([]byte(pk.PEM))
	if block == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "the actor's key is not PEM"}
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "the actor's key: " + err.Error()}
	}
	return pub, nil
}

func (s *Service) actorInbox(ctx context.Context, actor string) (string, error) {
	doc, err := s.fetchActor(ctx, actor)
	if err != nil {
		return "", err
	}
	var inbox string
	if err := json.Unmarshal(doc["inbox"], &inbox); err != nil || inbox == "" {
		return "", &dgml.Error{Kind: dgml.Invalid, Field: "actor", Msg: "the actor has no inbox"}
	}
	return inbox, nil
}

type fediDelivery struct {
	Activity json.RawMessage `json:"activity"`
	Inbox    string          `json:"inbox"`
}

// enqueueFedi queues an activity's delivery to inboxes, one job each, in
// the transaction of ctx.
func (s *Service) enqueueFedi(ctx context.Context, activity any, inboxes []string) error {
	if s.Jobs == nil {
		return nil
	}
	b, err := json.Marshal(activity)
	if err != nil {
		return err
	}
	for _, in := range inboxes {
		j, err := jobs.New(FediKind, fediDelivery{Activity: b, Inbox: in})
		if err != nil {
			return err
		}
		j.MaxAttempts = 10
		if _, _, err := s.Jobs.Enqueue(ctx, j); err != nil {
			return err
		}
	}
	return nil
}

// announceDesign queues a design entry's activity for every fediverse
// follower.
func (s *Service) announceDesign(ctx context.Context, e *feed.Entry) error {
	fs, err := s.Store.FediFollowers(ctx)
	if err != nil || len(fs) == 0 {
		return err
	}
	a, err := s.designActivity(e)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var inboxes []string
	for _, in := range fs {
		if !seen[in] {
			seen[in] = true
			inboxes = append(inboxes, in)
		}
	}
	return s.enqueueFedi(ctx, a, inboxes)
}

// DeliverFedi posts a queued activity to an inbox, signed.
func (s *Service) DeliverFedi(ctx context.Context, j jobs.Job) error {
	var d fediDelivery
	if err := json.Unmarshal(j.Args, &d); err != nil {
		return err
	}
	k, err := s.rsaKey(ctx)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", d.Inbox, bytes.NewReader(d.Activity))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/activity+json")
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("Host", req.URL.Host)
	signer, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256,
		[]string{httpsig.RequestTarget, "host", "date", "digest"}, httpsig.Signature, 0)
	if err != nil {
		return err
	}
	if err := signer.SignRequest(k, s.actorURL()+"#main-key", req, d.Activity); err != nil {
		return err
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 2<<10))
		return fmt.Errorf("%s: %s %s", d.Inbox, resp.Status, b)
	}
	return nil
}
