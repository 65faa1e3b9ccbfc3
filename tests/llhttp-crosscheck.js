// tests/llhttp-crosscheck.js: the front's request reader held against
// llhttp, Node.js's HTTP/1.1 parser, on generated requests; run by
// tests/integration-llhttp.sh, which says how. Prints TAP.
//
// usage: node tests/llhttp-crosscheck.js VERDICT_PROGRAM [COUNT]
//
// Each request is a well-formed webhook request with one to three parts
// changed (line ends, version, target, Host, framing, field lines...). Both
// readers judge it: ours through tests/unit/http-verdict (the reader on a
// pipe, as serve.c runs it), llhttp through the HTTPParser Node's server
// uses, in its default strict mode. A verdict is "accept" when the first
// request is complete, with its body, and "reject" otherwise; what follows
// a complete request is another request to llhttp and ignored by us (one
// request per connection), so it is not compared.
//
// The verdicts must agree, and so must the bodies of accepted requests,
// or the difference must be one of EXPLAINED below, where the RFCs let
// the two readers differ or where the front refuses on purpose. Anything
// else is a "not ok" naming the request.
'use strict';

const { spawnSync } = require('child_process');
const { HTTPParser } = require('_http_common');

const verdictProgram = process.argv[2];
const count = Number(process.argv[3] || 400);

// Differences allowed, each with the parts that can cause it and the side
// that accepts. A disagreement is explained when the request has one of
// the parts and the accepting side is the one named.
const EXPLAINED = {
	'no-host': ['llhttp', 'RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request without exactly one valid Host; llhttp leaves Host to the application'],
	'bad-host': ['llhttp', 'RFC 9112 3.2: a Host that is not uri-host [":" port] is 400 here; llhttp does not look at values'],
	'two-hosts': ['llhttp', 'RFC 9112 3.2: two Host fields are 400 here; llhttp leaves Host to the application'],
	'bad-authority': ['llhttp', 'RFC 9110 4.2.1, 4.2.4: an http(s) URI without a host, with userinfo, or of another scheme is 400 here; llhttp takes any URL'],
	'asterisk': ['llhttp', 'RFC 9112 3.2.4: asterisk-form is for OPTIONS; no route takes it, so 400 here'],
	'chunked': ['llhttp', 'Transfer-Encoding is refused here (411): hosts send Content-Length'],
	'bare-lf': ['ours', 'RFC 9112 2.2: a recipient MAY take a bare LF as a line end; llhttp in strict mode does not'],
	'same-length-twice': ['ours', 'RFC 9110 8.6: identical Content-Length values MAY be taken as one; llhttp refuses any second one'],
	'http-1.2': ['ours', 'RFC 9110 6.2: a later 1.x minor version is served as 1.1; llhttp refuses versions it does not know'],
	'other-major': ['llhttp', 'RFC 9110 6.2: HTTP/2.0 or 0.9 on this connection is 505 here; llhttp parses them like 1.1'],
	'other-method': ['ours', 'any token is a method to the reader (the router answers 405); llhttp knows a fixed list'],
	'huge-length': ['llhttp', 'a Content-Length over the body ceiling is 413 here before any body is read; llhttp just waits for the body'],
	'target-obs': ['llhttp', 'bytes over 0x7e in the target are 400 here (RFC 3986 has none); llhttp lets them through'],
};

// A small deterministic generator (mulberry32), so that a failure repeats.
function rng(seed) {
	return function () {
		seed |= 0;
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
const rand = rng(9112);
const pick = (a) => a[Math.floor(rand() * a.length)];

const BODY = '{"ref":"refs/heads/develop"}';

// Each mutation changes one part of the request and tags it.
const MUTATIONS = [
	(r) => { r.lead = pick(['\r\n', '\r\n\r\n', '\n']); },
	(r) => { r.method = pick(['GET', 'PUT', 'OPTIONS']); },
	(r) => { r.method = pick(['FROB', 'P0ST']); r.tags.add('other-method'); },
	(r) => { r.method = pick(['PO\x01ST', 'PO ST', '', 'POST\t']); },
	(r) => { r.target = pick(['/webhook?x=1', '/plugins/sources/github/webhook', '/', '/a%20b']); },
	(r) => { r.target = pick(['http://hooks.example.org/webhook', 'https://[2001:db8::1]:8443/webhook?x=1', 'HTTP://H.EXAMPLE', 'http://127.0.0.1:8080?x']); },
	(r) => { r.target = pick(['http:///webhook', 'http://user@h/webhook', 'ftp://h/webhook', 'http://:80/webhook']); r.tags.add('bad-authority'); },
	(r) => { r.target = '*'; r.tags.add('asterisk'); },
	(r) => { r.target = pick(['webhook', '/web\x7fhook', '/web\x01hook', '']); },
	(r) => { r.target = pick(['/web\x80hook', '/caf\xe9']); r.tags.add('target-obs'); },
	(r) => { r.version = pick(['HTTP/1.0']); },
	(r) => { r.version = pick(['HTTP/1.2', 'HTTP/1.9']); r.tags.add('http-1.2'); },
	(r) => { r.version = pick(['HTTP/2.0', 'HTTP/0.9']); r.tags.add('other-major'); },
	(r) => { r.version = pick(['http/1.1', 'HTTP/1.10', 'HTTP/1', 'HTTP/1.1 ', 'HTTP/x.1']); },
	(r) => { r.lineEnd = '\r\r\n'; },
	(r) => { r.eol = '\n'; r.tags.add('bare-lf'); },
	(r) => { r.requestEol = '\n'; r.tags.add('bare-lf'); },
	(r) => { r.host = null; r.tags.add('no-host'); },
	(r) => { r.host = pick(['h.example:8080', '[::1]', '[::1]:8080', '', '127.0.0.1', 'ex%41mple.org', '[v1.x]']); },
	(r) => { r.host = pick(['exa mple.org', 'example.org/x', 'a@b', 'example.org:port', '[::1', '[1.2.3.4]', 'a"b']); r.tags.add('bad-host'); },
	(r) => { r.fields.push('Host: second.example'); r.tags.add('two-hosts'); },
	(r) => { r.length = pick(['0' + r.body.length, '00' + r.body.length]); },
	(r) => { r.length = pick(['+' + r.body.length, '-1', '', r.body.length + ', ' + r.body.length, '0x1c', ' ' + r.body.length + 'x']); },
	(r) => { r.fields.push('Content-Length: ' + r.body.length); r.tags.add('same-length-twice'); },
	(r) => { r.fields.push('Content-Length: ' + (r.body.length + 1)); },
	(r) => { r.length = pick(['1073741825', '99999999999999999999999']); r.tags.add('huge-length'); },
	(r) => { r.length = null; r.body = ''; },
	(r) => { r.fields.push('Transfer-Encoding: chunked'); r.length = null; r.body = r.body.length.toString(16) + '\r\n' + r.body + '\r\n0\r\n\r\n'; r.tags.add('chunked'); },
	(r) => { r.fields.push('Transfer-Encoding: chunked'); r.tags.add('chunked'); },
	(r) => { r.cut = Math.floor(rand() * r.body.length); },
	(r) => { r.trailing = pick(['GET / HTTP/1.1\r\n\r\n', 'garbage', '\r\n']); },
	(r) => { r.fields.push(pick(['X-A: a\tb', 'X-A:a', 'X-A:   a   ', 'X-A: \xe9t\xe9', 'X-A:', 'X_A: a', 'X-A: a, b'])); },
	(r) => { r.fields.push(pick(['X-A : a', ' X-A: a', 'X-A', ': a', 'X\x80A: a', 'X A: a', 'X-A: a\x01b', 'X-A: a\x7fb', 'X-A: a\rb'])); },
	(r) => { r.fields.push('X-A: a' + r.eol + ' folded'); },
	(r) => { r.fields.push('X-A: a\x00b'); },
	(r) => { r.endOfHead = pick(['', '\r']); },
];

function base() {
	return {
		lead: '', method: 'POST', target: '/webhook', version: 'HTTP/1.1',
		lineEnd: null, requestEol: null, eol: '\r\n', host: 'hooks.example.org',
		fields: ['Content-Type: application/json', 'X-GitHub-Event: push'],
		length: undefined, body: BODY, cut: null, trailing: '', endOfHead: null,
		tags: new Set(),
	};
}

function render(r) {
	const eol = r.eol;
	let s = r.lead + r.method + ' ' + r.target + ' ' + r.version +
	    (r.lineEnd !== null ? r.lineEnd : r.requestEol !== null ? r.requestEol : eol);
	if (r.host !== null)
		s += 'Host: ' + r.host + eol;
	for (const f of r.fields)
		s += f + eol;
	if (r.length !== null)
		s += 'Content-Length: ' + (r.length === undefined ? r.body.length : r.length) + eol;
	s += r.endOfHead !== null ? r.endOfHead : eol;
	s += r.cut !== null ? r.body.slice(0, r.cut) : r.body;
	return s + r.trailing;
}

function ours(bytes) {
	const p = spawnSync(verdictProgram, [], { input: bytes, timeout: 10000 });
	const out = (p.stdout || '').toString().trim().split(' ');
	if (p.status !== 0 || out[0] === '')
		throw new Error(verdictProgram + ' failed: ' + (p.stderr || '').toString());
	return out[0] === '0' ? { accept: true, body: Buffer.from(out[1] || '', 'hex'), status: 0 }
	    : { accept: false, status: Number(out[0]) };
}

function llhttp(bytes) {
	const p = new HTTPParser();
	const res = { accept: false, body: [], error: null };
	let done = false;
	p.initialize(HTTPParser.REQUEST, {});
	p[HTTPParser.kOnHeaders] = () => {};
	p[HTTPParser.kOnHeadersComplete] = () => {};
	p[HTTPParser.kOnBody] = (b) => { if (!done) res.body.push(Buffer.from(b)); };
	p[HTTPParser.kOnMessageComplete] = () => { if (!done) res.accept = true; done = true; };
	p[HTTPParser.kOnExecute] = () => {};
	const r = p.execute(bytes);
	if (r instanceof Error && !done)
		res.error = r.code;
	if (!done) {
		const f = p.finish();
		if (f instanceof Error && !res.error)
			res.error = f.code;
	}
	res.body = Buffer.concat(res.body);
	return res;
}

function show(s) {
	return JSON.stringify(s).replace(/[\u0080-\u00ff]/g,
	    (c) => '\\x' + c.charCodeAt(0).toString(16));
}

let n = 0;
const tally = { agree: 0, bodies: 0, explained: {} };
const failures = [];
const seen = new Set();
for (let i = 0; seen.size < count && i < count * 20; i++) {
	const r = base();
	const k = 1 + Math.floor(rand() * rand() * 3);
	for (let j = 0; j < k; j++)
		pick(MUTATIONS)(r);
	const text = render(r);
	if (seen.has(text))
		continue;
	seen.add(text);
	const bytes = Buffer.from(text, 'latin1');
	const a = ours(bytes), b = llhttp(bytes);
	if (a.accept === b.accept) {
		if (a.accept && !a.body.equals(b.body)) {
			failures.push('bodies differ: ours ' + show(a.body.toString('latin1')) +
			    ', llhttp ' + show(b.body.toString('latin1')) + ' for ' + show(text));
			continue;
		}
		tally.agree++;
		tally.bodies += a.accept;
		continue;
	}
	const acceptor = a.accept ? 'ours' : 'llhttp';
	const why = [...r.tags].find((t) => EXPLAINED[t][0] === acceptor);
	if (why === undefined) {
		failures.push('ours ' + (a.accept ? 'accepts' : 'says ' + a.status) +
		    ', llhttp ' + (b.accept ? 'accepts' : 'says ' + b.error) + ': ' + show(text));
		continue;
	}
	tally.explained[why] = (tally.explained[why] || 0) + 1;
}

console.log('# llhttp ' + process.versions.llhttp + ', ' + seen.size + ' requests');
console.log('ok ' + ++n + ' - llhttp cross-check: ' + seen.size + ' distinct generated requests');
console.log('ok ' + ++n + ' - the verdicts agree on ' + tally.agree + ': ' + tally.bodies +
    ' accepted by both, with the same body, ' + (tally.agree - tally.bodies) + ' refused by both');
for (const t of Object.keys(EXPLAINED).sort())
	if (tally.explained[t])
		console.log('ok ' + ++n + ' - ' + tally.explained[t] + ' differ as explained (' + t +
		    ', ' + EXPLAINED[t][0] + ' accepts): ' + EXPLAINED[t][1]);
for (const f of failures)
	console.log('not ok ' + ++n + ' - unexplained: ' + f);
if (seen.size < count)
	console.log('not ok ' + ++n + ' - only ' + seen.size + ' distinct requests of ' + count);
console.log('1..' + n);
