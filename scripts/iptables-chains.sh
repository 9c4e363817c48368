# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
# iptables helpers of the private engines (private-dockerd.sh, private-podman.sh), sourced.

# Deletes, by number (their comments hold quoted words), the rules of table $1 whose text
# matches the awk pattern $2, and which do not sit in a chain matching $3.
delete_rules() {
	local t=$1 pat=$2 skip=$3 chain n
	for chain in $(iptables -t "$t" -S 2>/dev/null | awk '$1 == "-P" || $1 == "-N" {print $2}'); do
		[[ $chain =~ $skip ]] && continue
		for _ in $(seq 1 100); do
			n=$(iptables -t "$t" -S "$chain" 2>/dev/null |
				awk -v pat="$pat" '$1 == "-A" { i++; if ($0 ~ pat) { print i; exit } }')
			[ -n "$n" ] || break
			iptables -t "$t" -D "$chain" "$n" 2>/dev/null || break
		done
	done
}

# The shared chains an engine made, when none existed before it: the jumps to them from other
# chains (rules matching the awk pattern $1), then the chains whose names match $2 themselves.
drop_chains() {
	local jump=$1 name=$2 t c
	for t in filter nat; do
		delete_rules "$t" "$jump" "$name"
		for c in $(iptables -t "$t" -S 2>/dev/null | awk -v re="$name" '$1 == "-N" && $2 ~ re {print $2}'); do
			iptables -t "$t" -F "$c" 2>/dev/null
		done
		for c in $(iptables -t "$t" -S 2>/dev/null | awk -v re="$name" '$1 == "-N" && $2 ~ re {print $2}'); do
			iptables -t "$t" -X "$c" 2>/dev/null
		done
	done
}
