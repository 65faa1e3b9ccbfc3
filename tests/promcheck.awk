# tests/promcheck.awk: a strict checker of the Prometheus text exposition
# format, version 0.0.4, for what METRICS_FILE holds; plain POSIX awk
# (mawk), so that the tests need no Prometheus. Usage:
#   awk -f tests/promcheck.awk FILE
# Exits 0 when FILE is well formed; otherwise prints "line N: why" and
# exits 1. It checks what the format and its parsers require:
#   - every line ends with a newline; no empty lines (ours has none);
#   - "# HELP name text" and "# TYPE name type" at most once per name, the
#     TYPE before the name's first sample, type one of counter, gauge,
#     histogram, summary, untyped; HELP text escapes only \\ and \n;
#   - a sample is name{label="value",...} value [timestamp]: names
#     [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* not
#     starting "__", each once; values escape only \\ \" \n; the value a
#     float (or NaN, +Inf, -Inf), the timestamp an integer;
#   - a family's samples are contiguous; no series appears twice;
#   - a counter's value is a number >= 0;
# and, as promtool's lint does, that every family has HELP and TYPE.
function fail(why) {
	printf "line %d: %s\n", NR, why
	bad = 1
	exit 1
}
function isname(s) { return s ~ /^[a-zA-Z_:][a-zA-Z0-9_:]*$/ }
function isfloat(s) {
	return s ~ /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/ ||
	    s ~ /^(NaN|[+-]Inf)$/
}
# The escapes of a HELP text or a label value.
function escapes_ok(s, allowed,   i, c) {
	for (i = 1; i <= length(s); i++) {
		if (substr(s, i, 1) != "\\")
			continue
		c = substr(s, i + 1, 1)
		if (index(allowed, c) == 0 || c == "")
			return 0
		i++
	}
	return 1
}
# A family: the name, less a histogram's or summary's suffix.
function family(name,   base) {
	base = name
	sub(/_(bucket|sum|count)$/, "", base)
	if (base != name && (type[base] == "histogram" || type[base] == "summary"))
		return base
	return name
}
BEGIN { bad = 0; current = "" }
{
	line = $0
	if (line == "")
		fail("empty line")
	if (substr(line, 1, 1) == "#") {
		if (line ~ /^# HELP /) {
			rest = substr(line, 8)
			name = rest
			sub(/ .*/, "", name)
			text = substr(rest, length(name) + 2)
			if (!isname(name))
				fail("HELP for a bad name: " name)
			if (name in help)
				fail("a second HELP for " name)
			if (!escapes_ok(text, "\\n"))
				fail("HELP text with a bad escape")
			help[name] = 1
		} else if (line ~ /^# TYPE /) {
			n = split(substr(line, 8), f, " ")
			if (n != 2 || !isname(f[1]))
				fail("TYPE must be '# TYPE name type'")
			if (f[2] !~ /^(counter|gauge|histogram|summary|untyped)$/)
				fail("unknown type " f[2])
			if (f[1] in type)
				fail("a second TYPE for " f[1])
			if (f[1] in seen)
				fail("TYPE of " f[1] " after its samples")
			type[f[1]] = f[2]
		}
		next
	}
	# A sample: the name, then labels, then the value.
	if (!match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*/))
		fail("a sample must start with a metric name")
	name = substr(line, 1, RLENGTH)
	rest = substr(line, RLENGTH + 1)
	labels = ""
	delete have
	if (substr(rest, 1, 1) == "{") {
		rest = substr(rest, 2)
		while (substr(rest, 1, 1) != "}") {
			if (!match(rest, /^[a-zA-Z_][a-zA-Z0-9_]*="/))
				fail("a label must be name=\"value\"")
			lname = substr(rest, 1, RLENGTH - 2)
			if (substr(lname, 1, 2) == "__")
				fail("label name " lname " is reserved")
			if (lname in have)
				fail("label " lname " twice")
			have[lname] = 1
			rest = substr(rest, RLENGTH + 1)
			# The value up to the first unescaped quote.
			v = ""
			for (;;) {
				if (rest == "")
					fail("label value without its closing quote")
				c = substr(rest, 1, 1)
				if (c == "\"")
					break
				if (c == "\\") {
					e = substr(rest, 2, 1)
					if (e != "\\" && e != "\"" && e != "n")
						fail("label value with a bad escape \\" e)
					v = v c e
					rest = substr(rest, 3)
					continue
				}
				v = v c
				rest = substr(rest, 2)
			}
			rest = substr(rest, 2)
			labels = labels "," lname "=" v
			if (substr(rest, 1, 1) == ",")
				rest = substr(rest, 2)
			else if (substr(rest, 1, 1) != "}")
				fail("labels must be separated by commas")
		}
		rest = substr(rest, 2)
	}
	if (substr(rest, 1, 1) != " ")
		fail("a space must separate the series from its value")
	n = split(substr(rest, 2), f, " ")
	if (substr(rest, 2) ~ /^ / || substr(rest, 2) ~ / $/ || substr(rest, 2) ~ /  /)
		fail("one space between the value and the timestamp")
	if (n < 1 || n > 2 || !isfloat(f[1]))
		fail("the value must be a float: " f[1])
	if (n == 2 && f[2] !~ /^-?[0-9]+$/)
		fail("the timestamp must be an integer")
	fam = family(name)
	if (fam != current) {
		if (fam in seen)
			fail("the samples of " fam " are not together")
		current = fam
	}
	seen[fam] = 1
	if (type[fam] == "counter" && (f[1] !~ /^[+]?[0-9.]/ || f[1] + 0 < 0))
		fail("counter " name " below 0")
	# Labels in the order written; ours are always written in one order.
	key = name "{" labels "}"
	if (key in series)
		fail("series " key " twice")
	series[key] = 1
}
END {
	if (bad)
		exit 1
	if (NR == 0) {
		print "no lines"
		exit 1
	}
	for (fam in seen) {
		if (!(fam in help)) {
			print "no HELP for " fam
			exit 1
		}
		if (!(fam in type)) {
			print "no TYPE for " fam
			exit 1
		}
	}
}
