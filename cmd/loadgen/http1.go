package main

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// request is one HTTP request of the load: form, when set, is sent as an
// application/x-www-form-urlencoded body.
type request struct {
	method, path, auth, form string
	// dpop is the DPoP proof header, when the scenario sends one.
	dpop string
}

// appendRequest appends r as HTTP/1.1 bytes for host.
func appendRequest(b []byte, host string, r request) []byte {
	b = append(b, r.method...)
	b = append(b, ' ')
	b = append(b, r.path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, host...)
	b = append(b, "\r\n"...)
	if r.auth != "" {
		b = append(b, "Authorization: "...)
		b = append(b, r.auth...)
		b = append(b, "\r\n"...)
	}
	if r.dpop != "" {
		b = append(b, "DPoP: "...)
		b = append(b, r.dpop...)
		b = append(b, "\r\n"...)
	}
	if r.form != "" {
		b = append(b, "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "...)
		b = strconv.AppendInt(b, int64(len(r.form)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, r.form...)
}

var errMalformed = errors.New("malformed HTTP response")

// response is one parsed HTTP/1.1 response.
type response struct {
	status int
	body   []byte
	keep   bool // the connection may carry another request
}

// parseResponse parses the response at the start of b and returns it with
// the number of bytes it took, or n == 0 when b does not hold all of it
// yet. eof says no more bytes will come: a body without a length ends
// there. The body may share memory with b.
func parseResponse(b []byte, eof bool) (resp response, n int, err error) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		if eof {
			return resp, 0, fmt.Errorf("%w: connection closed in the headers", errMalformed)
		}
		return resp, 0, nil
	}
	head := b[:end]
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return resp, 0, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	if resp.status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return resp, 0, fmt.Errorf("%w: status %q", errMalformed, line[9:12])
	}
	length, chunked := -1, false
	resp.keep = true
	for len(rest) > 0 {
		var h []byte
		h, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return resp, 0, fmt.Errorf("%w: header %q", errMalformed, h)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return resp, 0, fmt.Errorf("%w: Content-Length %q", errMalformed, value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			resp.keep = !bytes.EqualFold(value, []byte("close"))
		}
	}
	start := end + 4
	switch {
	case resp.status < 200 || resp.status == 204 || resp.status == 304:
		// No body, whatever the headers say (RFC 9112 §6.3). Loadgen sends
		// no HEAD requests and no Expect, so a 1xx is not an interim reply
		// to skip but an answer to report.
		return resp, start, nil
	case chunked:
		body, used, err := parseChunked(b[start:])
		if err != nil || used == 0 {
			if err == nil && eof {
				err = fmt.Errorf("%w: connection closed in a chunked body", errMalformed)
			}
			return resp, 0, err
		}
		resp.body = body
		return resp, start + used, nil
	case length >= 0:
		if len(b)-start < length {
			if eof {
				return resp, 0, fmt.Errorf("%w: connection closed after %d of %d body bytes", errMalformed, len(b)-start, length)
			}
			return resp, 0, nil
		}
		resp.body = b[start : start+length]
		return resp, start + length, nil
	default:
		// Neither: the body runs to the end of the connection.
		if !eof {
			return resp, 0, nil
		}
		resp.body, resp.keep = b[start:], false
		return resp, len(b), nil
	}
}

// parseChunked decodes a chunked body (RFC 9112 §7.1) at the start of b,
// ignoring extensions and trailers; used == 0 means incomplete.
func parseChunked(b []byte) (body []byte, used int, err error) {
	for {
		line, _, ok := bytes.Cut(b[used:], []byte("\r\n"))
		if !ok {
			return nil, 0, nil
		}
		size, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseUint(string(bytes.TrimSpace(size)), 16, 32)
		if err != nil {
			return nil, 0, fmt.Errorf("%w: chunk size %q", errMalformed, size)
		}
		at := used + len(line) + 2
		if n == 0 {
			// Trailers, then the empty line.
			for {
				t, _, ok := bytes.Cut(b[at:], []byte("\r\n"))
				if !ok {
					return nil, 0, nil
				}
				at += len(t) + 2
				if len(t) == 0 {
					return body, at, nil
				}
			}
		}
		if len(b)-at < int(n)+2 {
			return nil, 0, nil
		}
		body = append(body, b[at:at+int(n)]...)
		used = at + int(n) + 2 // the chunk's trailing CRLF
	}
}
