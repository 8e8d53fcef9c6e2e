package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/config"
)

// watchCSP records every Content-Security-Policy violation of the pages the
// browser opens from now on, so a test can prove the pages work under
// their strict policy rather than around it. The recorder is installed by
// DevTools, which the policy does not govern.
func watchCSP() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});`,
		})
		return err
	})
}

func cspViolations(dst *[]string) chromedp.Action[chromedp.Void] {
	return into(dst, chromedp.Evaluate[[]string](`window.__cspViolations || []`))
}

// visibleEntries are the catalog names of the index rows a person can see.
const visibleEntries = `Array.from(document.querySelectorAll("tr.entry-row"))
  .filter((r) => r.getClientRects().length > 0)
  .map((r) => r.dataset.name)`

// serverShown fetches /errors?q= and returns the names the server left
// visible: the filter a browser without JavaScript gets.
func serverShown(t *testing.T, base, q string) []string {
	t.Helper()
	resp, err := http.Get(base + "/errors?q=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out []string
	for _, m := range regexp.MustCompile(`<tr class="entry-row" data-name="([^"]+)" data-search="[^"]*"( hidden)?>`).FindAllStringSubmatch(string(b), -1) {
		if m[2] == "" {
			out = append(out, m[1])
		}
	}
	return out
}

func uniqueSorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// TestBrowserErrorPages uses the catalog as a developer would: open the
// index, search it by typing, follow a result to its entry.
func TestBrowserErrorPages(t *testing.T) {
	ctx := chrome(t)
	l := start(t)
	all := catalog.All()

	var before []string
	err := chromedp.Do(ctx,
		watchCSP(),
		chromedp.Navigate(l.URL+"/errors"),
		chromedp.WaitVisible(chromedp.CSS("#error-search")),
		// The script marks the page once it runs; under a wrong policy it never would.
		chromedp.Poll[chromedp.Void](`document.documentElement.dataset.search === "ready"`),
		into(&before, chromedp.Evaluate[[]string](visibleEntries)),
		viewShot(t, "07-errors-index"),
	)
	if err != nil {
		t.Fatalf("open the index: %v", err)
	}
	if got := uniqueSorted(before); len(got) != len(all) {
		t.Fatalf("%d entries visible before searching, want all %d", len(got), len(all))
	}

	explained := func(code string) []string {
		_, es := catalog.Explain(code)
		var out []string
		for _, e := range es {
			out = append(out, string(e.Name))
		}
		return out
	}
	searches := []struct {
		typed string
		show  []string // must be visible
		hide  []string // must be hidden
	}{
		{typed: "verifier mismatch", show: []string{string(catalog.VerifierMismatch)}, hide: []string{string(catalog.SignInFailed), string(catalog.CodeExpired)}},
		{typed: "AADSTS70008", show: explained("AADSTS70008"), hide: []string{string(catalog.VerifierMismatch), string(catalog.SignInFailed)}},
	}
	typed := ""
	for i, s := range searches {
		var visible []string
		var count string
		err := chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.CSS("#error-search"), strings.Repeat(kb.Backspace, len(typed))+s.typed),
			// The filter runs on the next frame; it has run for this text
			// once the address carries it.
			chromedp.Poll[chromedp.Void](`new URLSearchParams(location.search).get("q") === `+strconv.Quote(s.typed)),
			into(&visible, chromedp.Evaluate[[]string](visibleEntries)),
			into(&count, chromedp.Text(chromedp.CSS("#match-count"))),
		)
		if err != nil {
			t.Fatalf("search %q: %v", s.typed, err)
		}
		typed = s.typed
		if i == 0 {
			if err := chromedp.Do(ctx, shot(t, "08-errors-search")); err != nil {
				t.Fatal(err)
			}
		}
		got := uniqueSorted(visible)
		for _, n := range s.show {
			if !slices.Contains(got, n) {
				t.Errorf("search %q hides %s", s.typed, n)
			}
		}
		for _, n := range s.hide {
			if slices.Contains(got, n) {
				t.Errorf("search %q shows %s", s.typed, n)
			}
		}
		if len(got) == 0 || len(got) >= len(all) {
			t.Errorf("search %q shows %d of %d entries", s.typed, len(got), len(all))
		}
		// Typing filters exactly as the server does for ?q=.
		if want := uniqueSorted(serverShown(t, l.URL, s.typed)); !slices.Equal(got, want) {
			t.Errorf("search %q: the browser shows %v, the server %v", s.typed, got, want)
		}
		if want := fmt.Sprintf("%d of %d entries match", len(got), len(all)); count != want {
			t.Errorf("match count %q, want %q", count, want)
		}
	}

	// The address keeps the search, and a result leads to its entry.
	entry, _ := catalog.Lookup(catalog.VerifierMismatch)
	var location, title, text string
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#error-search"), strings.Repeat(kb.Backspace, len(typed))+"verifier mismatch"),
		chromedp.Poll[chromedp.Void](`location.search === "?q=verifier+mismatch"`),
		chromedp.Click(chromedp.CSS(`tr.entry-row[data-name="`+string(entry.Name)+`"] a`)),
		chromedp.WaitVisible(chromedp.CSS("#entry-title")),
		into(&location, chromedp.Location()),
		into(&title, chromedp.Text(chromedp.CSS("#entry-title"))),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
		shot(t, "09-errors-entry"),
	)
	if err != nil {
		t.Fatalf("follow a result: %v", err)
	}
	if location != l.URL+"/errors/"+string(entry.Name) {
		t.Errorf("result led to %s", location)
	}
	if title != entry.Title {
		t.Errorf("entry title %q, want %q", title, entry.Title)
	}
	for _, want := range []string{string(entry.Name), entry.Error, entry.Causes[0], entry.ClientFix[0], entry.Spec} {
		if !strings.Contains(text, want) {
			t.Errorf("entry page lacks %q", want)
		}
	}

	// Back on the index by its link, then a page that does not exist.
	var notFound, violations []string
	var nfText string
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#all-errors")),
		chromedp.WaitVisible(chromedp.CSS("#error-search")),
		chromedp.Navigate(l.URL+"/errors/no_such_entry"),
		chromedp.WaitVisible(chromedp.CSS("#error-name")),
		into(&nfText, chromedp.Text(chromedp.CSS("main"))),
		into(&notFound, chromedp.Evaluate[[]string](`[document.getElementById("error-name").textContent, document.getElementById("trace-id").textContent]`)),
		cspViolations(&violations),
	)
	if err != nil {
		t.Fatalf("missing entry: %v", err)
	}
	if notFound[0] != string(catalog.PageNotFound) || len(notFound[1]) != 32 || !strings.Contains(nfText, "/errors/no_such_entry") {
		t.Errorf("missing entry page: %q\n%s", notFound, nfText)
	}
	triggered.add(string(catalog.PageNotFound))
	if len(violations) > 0 {
		t.Errorf("Content-Security-Policy violations: %v", violations)
	}
}

// TestBrowserErrorPageLinksToEntry follows the human error page of the
// authorization endpoint to the catalog entry it names: the same address
// a client gets as error_uri.
func TestBrowserErrorPageLinksToEntry(t *testing.T) {
	ctx := chrome(t)
	l := start(t, func(c *config.Config) { c.Demo = true })
	entry, _ := catalog.Lookup(catalog.RedirectURINotRegistered)
	var name, traceID, href, location, title string
	var violations []string
	err := chromedp.Do(ctx,
		watchCSP(),
		chromedp.Navigate(l.URL+"/authorize?client_id=demo&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fevil.example%2Fcb"),
		chromedp.WaitVisible(chromedp.CSS("#error-doc")),
		into(&name, chromedp.Text(chromedp.CSS("#error-name"))),
		into(&traceID, chromedp.Text(chromedp.CSS("#trace-id"))),
		into(&href, chromedp.JavascriptAttribute[string](chromedp.CSS("#error-doc"), "href")),
		chromedp.Click(chromedp.CSS("#error-doc")),
		chromedp.WaitVisible(chromedp.CSS("#entry-title")),
		into(&location, chromedp.Location()),
		into(&title, chromedp.Text(chromedp.CSS("#entry-title"))),
		shot(t, "10-errors-entry-from-error-page"),
		cspViolations(&violations),
	)
	if err != nil {
		t.Fatal(err)
	}
	uri := catalog.New(entry.Name).URI(l.URL)
	if name != string(entry.Name) || len(traceID) != 32 || href != uri {
		t.Errorf("error page shows %q, trace %q, links %q; want %s and %s", name, traceID, href, entry.Name, uri)
	}
	if location != uri || title != entry.Title {
		t.Errorf("the link led to %s titled %q", location, title)
	}
	if len(violations) > 0 {
		t.Errorf("Content-Security-Policy violations: %v", violations)
	}
}
