package console

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"

	"github.com/lucid-auth/lucid/internal/metrics"
)

// chart is a horizontal bar chart drawn as SVG on the server: no script,
// nothing the CSP has to allow. Each bar also appears in a table beside it
// for screen readers and for copying.
type chart struct {
	ID, Title, Unit string
	Bars            []bar
	Height          int
	Empty           string
}

type bar struct {
	Label string
	Short string // the label as drawn, short enough for its column
	Value float64
	Text  string // the value as shown
	Y     int    // top of the bar
	W     int    // width in px of the 400 px plot
}

const (
	barHeight = 22
	plotWidth = 400
	maxBars   = 12
)

// newChart keeps the largest values, in order, scaled to the plot.
func newChart(id, title, unit, empty string, values map[string]float64, format func(float64) string) chart {
	c := chart{ID: id, Title: title, Unit: unit, Empty: empty}
	for k, v := range values {
		if v > 0 {
			c.Bars = append(c.Bars, bar{Label: k, Value: v})
		}
	}
	sort.Slice(c.Bars, func(i, j int) bool {
		if c.Bars[i].Value != c.Bars[j].Value {
			return c.Bars[i].Value > c.Bars[j].Value
		}
		return c.Bars[i].Label < c.Bars[j].Label
	})
	if len(c.Bars) > maxBars {
		c.Bars = c.Bars[:maxBars]
	}
	return c.scale(format)
}

func (c chart) scale(format func(float64) string) chart {
	top := 0.0
	for _, b := range c.Bars {
		top = max(top, b.Value)
	}
	for i := range c.Bars {
		c.Bars[i].Short = clipLabel(c.Bars[i].Label)
		c.Bars[i].Y = i * barHeight
		if c.Bars[i].Value > 0 {
			c.Bars[i].W = max(1, int(c.Bars[i].Value/top*plotWidth))
		}
		c.Bars[i].Text = format(c.Bars[i].Value)
	}
	c.Height = max(1, len(c.Bars)) * barHeight
	return c
}

// clipLabel keeps a label within the 260 px before the bars.
func clipLabel(s string) string {
	const most = 38
	if r := []rune(s); len(r) > most {
		return string(r[:most-1]) + "…"
	}
	return s
}

func count(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }

// overviewData is the overview page: the last hour minute by minute
// (metrics.Recent), and the totals since this process started (the
// Prometheus registry, the same numbers /admin/metrics serves).
type overviewData struct {
	Timelines []timeline
	Charts    []chart
}

// timeline is a column chart of the last hour, one column a minute.
type timeline struct {
	ID, Title, Peak string
	Cols            []col
}

type col struct {
	X, Y, H int
	Label   string // the minute and its value, for the tooltip and table
	Zero    bool
}

const (
	colWidth     = 12
	timelineTall = 100
)

// newTimeline scales one value of each minute to the chart's height.
func newTimeline(id, title string, ms []metrics.Minute, value func(metrics.Minute) float64, text func(float64) string) timeline {
	tl := timeline{ID: id, Title: title}
	top := 0.0
	for _, m := range ms {
		top = max(top, value(m))
	}
	tl.Peak = text(top)
	for i, m := range ms {
		v := value(m)
		h := 0
		if top > 0 && v > 0 {
			h = max(1, int(v/top*timelineTall))
		}
		tl.Cols = append(tl.Cols, col{X: i * colWidth, Y: timelineTall - h, H: h, Label: m.Start.Format("15:04") + " UTC: " + text(v), Zero: v == 0})
	}
	return tl
}

func timelines(ms []metrics.Minute) []timeline {
	return []timeline{
		newTimeline("minute-requests", "Requests a minute, last hour", ms, func(m metrics.Minute) float64 { return float64(m.Requests) }, count),
		newTimeline("minute-failures", "Failures a minute, last hour", ms, func(m metrics.Minute) float64 { return float64(m.Failures) }, count),
		newTimeline("minute-latency", "Mean latency a minute, last hour", ms, func(m metrics.Minute) float64 { return m.Mean.Seconds() }, seconds),
	}
}

func (c *Console) overview(w http.ResponseWriter, r *http.Request) {
	d := overviewData{}
	if c.o.Recent != nil {
		d.Timelines = timelines(c.o.Recent.Minutes(c.o.Now()))
	}
	if c.o.Metrics != nil {
		mfs, err := c.o.Metrics.Gather()
		if err != nil {
			c.o.Log.WarnContext(r.Context(), "console: metrics gathered in part", "err", err)
		}
		d.Charts = charts(mfs)
	}
	c.render(w, r, http.StatusOK, "overview", "Overview", "overview", d, nil)
}

// charts draws requests by route, failures by catalog entry and the
// latency distribution of all requests.
func charts(mfs []*dto.MetricFamily) []chart {
	requests, failures := map[string]float64{}, map[string]float64{}
	var buckets []*dto.Bucket
	merged := map[float64]uint64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			switch mf.GetName() {
			case "lucid_http_requests_total":
				route := label(m, "route")
				if !strings.Contains(route, " ") {
					route = label(m, "method") + " " + route // a pattern without its method
				}
				requests[route] += m.GetCounter().GetValue()
			case "lucid_failures_total":
				failures[label(m, "name")] += m.GetCounter().GetValue()
			case "lucid_http_request_duration_seconds":
				for _, b := range m.GetHistogram().GetBucket() {
					if _, ok := merged[b.GetUpperBound()]; !ok {
						buckets = append(buckets, b)
					}
					merged[b.GetUpperBound()] += b.GetCumulativeCount()
				}
			}
		}
	}
	lat := chart{ID: "latency", Title: "Latency of all requests", Unit: "requests", Empty: "No request has been timed yet."}
	sort.Slice(buckets, func(i, j int) bool { return buckets[i].GetUpperBound() < buckets[j].GetUpperBound() })
	prev := uint64(0)
	for _, b := range buckets {
		ub := b.GetUpperBound()
		n := merged[ub] - prev
		prev = merged[ub]
		lat.Bars = append(lat.Bars, bar{Label: "≤ " + seconds(ub), Value: float64(n)})
	}
	if prev == 0 {
		lat.Bars = nil
	}
	return []chart{
		newChart("requests", "Requests by route", "requests", "No request has been served yet.", requests, count),
		newChart("failures", "Failures by catalog entry", "failures", "No failure since this process started.", failures, count),
		lat.scale(count),
	}
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func seconds(s float64) string {
	if s == 0 {
		return "0"
	}
	if s < 1 {
		return strconv.FormatFloat(s*1000, 'g', 3, 64) + " ms"
	}
	return strconv.FormatFloat(s, 'g', 3, 64) + " s"
}
