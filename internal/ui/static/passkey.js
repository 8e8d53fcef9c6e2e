// Passkeys (WebAuthn) on Lucid's pages. A form marked data-passkey="get"
// (sign in) or "create" (register) carries the ceremony's options, made
// by the server, in data-options; this script asks the browser for the
// credential, puts the answer in the form's credential field as JSON and
// submits the form. The server checks everything; this only translates
// between base64url strings and the ArrayBuffers the browser wants.
(function () {
  "use strict";

  function fromB64url(s) {
    var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function toB64url(buf) {
    if (!buf) return undefined;
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeDescriptors(list) {
    return (list || []).map(function (c) {
      var d = { type: c.type, id: fromB64url(c.id) };
      if (c.transports) d.transports = c.transports;
      return d;
    });
  }

  // publicKey turns the server's options into what navigator.credentials
  // takes.
  function publicKey(options) {
    var pk = Object.assign({}, options.publicKey);
    pk.challenge = fromB64url(pk.challenge);
    if (pk.user) pk.user = Object.assign({}, pk.user, { id: fromB64url(pk.user.id) });
    if (pk.allowCredentials) pk.allowCredentials = decodeDescriptors(pk.allowCredentials);
    if (pk.excludeCredentials) pk.excludeCredentials = decodeDescriptors(pk.excludeCredentials);
    return pk;
  }

  // encode is the credential as JSON (WebAuthn Level 3 §5.1.8's shape).
  function encode(cred) {
    var r = cred.response;
    var response = { clientDataJSON: toB64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toB64url(r.attestationObject);
      if (r.getTransports) response.transports = r.getTransports();
    } else {
      response.authenticatorData = toB64url(r.authenticatorData);
      response.signature = toB64url(r.signature);
      if (r.userHandle) response.userHandle = toB64url(r.userHandle);
    }
    return JSON.stringify({
      id: cred.id,
      rawId: toB64url(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      response: response,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {}
    });
  }

  function say(form, text) {
    var status = form.querySelector("#passkey-status");
    if (!status) return;
    status.textContent = text;
    status.hidden = !text;
  }

  function wire(form) {
    var kind = form.getAttribute("data-passkey");
    var options = JSON.parse(form.getAttribute("data-options"));
    var field = form.querySelector("input[name=credential]");
    var button = form.querySelector("button");
    var pending = null; // the conditional request, aborted by a click
    var settled = Promise.resolve(); // resolves once it has ended

    function finish(cred) {
      field.value = encode(cred);
      form.submit();
    }

    if (!window.PublicKeyCredential || !navigator.credentials) {
      if (button) button.disabled = true;
      // The page's language: the texts come with the form (data-msg-*).
      say(form, form.dataset.msgUnsupported || "This browser cannot use passkeys.");
      return;
    }

    form.addEventListener("submit", function (ev) {
      if (field.value) return; // the answer is in: let it go
      ev.preventDefault();
      if (pending) pending.abort();
      pending = null;
      say(form, "");
      // A browser runs one request at a time: the aborted conditional
      // one must end before the button's starts.
      settled.then(function () {
        return kind === "create"
          ? navigator.credentials.create({ publicKey: publicKey(options) })
          : navigator.credentials.get({ publicKey: publicKey(options) });
      }).then(finish, function (err) {
        say(form, err && err.name === "NotAllowedError"
          ? (form.dataset.msgCancelled || "The passkey request was cancelled or timed out. Try again.")
          : (form.dataset.msgFailed || "Your passkey could not be used here:") + " " + (err && err.message ? err.message : err));
      });
    });

    // Conditional mediation: the browser offers passkeys in the username
    // field's autofill; choosing one answers the same request.
    if (kind === "get" && form.hasAttribute("data-conditional") &&
        PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then(function (ok) {
        if (!ok) return;
        pending = new AbortController();
        var req = navigator.credentials.get({ publicKey: publicKey(options), mediation: "conditional", signal: pending.signal });
        settled = req.then(function () {}, function () {});
        req.then(finish, function () { /* aborted or dismissed: the button remains */ });
      });
    }
  }

  document.querySelectorAll("form[data-passkey]").forEach(wire);
})();
