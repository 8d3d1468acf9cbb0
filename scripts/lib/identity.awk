# SPDX-License-Identifier: GPL-2.0
# Identities in patches, for scripts/check and scripts/send (awk -f this -f ...).

# addr(ID): the lower-cased address of "Name <addr>" (or of a bare address).
function addr(id) {
	if (match(id, /<[^>]*>/))
		return tolower(substr(id, RSTART + 1, RLENGTH - 2))
	return tolower(id)
}

# who(ID): the name of "Name <addr>", unquoted.
function who(id) { sub(/[ \t]*<.*$/, "", id); gsub(/^"|"$/, "", id); return id }

# badid(ID): why ID is no real sender ("" when it is one): the placeholder
# name, or an address at a reserved example domain (example.org, .com, .net
# and their subdomains; the .example top-level domain is a configured one).
function badid(id,   a, d) {
	a = addr(id); d = a; sub(/^[^@]*@/, "", d)
	if (who(id) == "kvm-fpu-fixes" || a ~ /^kvm-fpu-fixes@/) return "the placeholder identity"
	if (d ~ /(^|\.)example\.(org|com|net)$/) return "an address at a reserved example domain"
	return ""
}
