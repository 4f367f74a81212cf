# Shared by the comparison scripts: reading PrusaSlicer's G-code and
# dgml's --json estimates into the same "seconds<TAB>grams" columns.

# ps_result GCODE prints PrusaSlicer's estimated time (normal mode) in
# seconds and its filament in grams, tab-separated.
ps_result() {
	local t g
	t=$(grep "estimated printing time (normal mode)" "$1" | sed 's/.*= //')
	g=$(grep "^; filament used \[g\]" "$1" | sed 's/.*= //')
	# "1d 2h 3m 4s" -> seconds
	t=$(echo "$t" | awk '{t=0; for(i=1;i<=NF;i++){n=$i+0; u=substr($i,length($i)); if(u=="d")t+=n*86400; if(u=="h")t+=n*3600; if(u=="m")t+=n*60; if(u=="s")t+=n}; print t}')
	printf '%s\t%s\n' "$t" "$g"
}

# dgml_results JSON prints file, seconds and grams for each part in the
# output of `dgml mesh estimate --json`: each file's object lists "file",
# then its estimate's "filament_g" and, first after it, the total
# "seconds".
dgml_results() {
	awk -F': ' '
		function val(s) { sub(/,$/, "", s); gsub(/"/, "", s); return s }
		$1 ~ /"file"$/ { n = split(val($2), p, "/"); f = p[n]; want = 1; next }
		$1 ~ /"filament_g"$/ { g = val($2); next }
		$1 ~ /"seconds"$/ && want { printf "%s\t%s\t%s\n", f, val($2), g; want = 0 }
	' "$1"
}
