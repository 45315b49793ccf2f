# SPDX-License-Identifier: GPL-2.0
# Time and memory against N from selftests/bench/scale.sh's CSVs, drawn on
# the host after the VM run:
#   gnuplot -e "dir='build/bench'" selftests/bench/plot.gp   ->  dir/scale.png
if (!exists("dir")) dir = 'build/bench'
set terminal pngcairo size 1200,500 noenhanced
set output dir.'/scale.png'
set datafile separator ','
set multiplot layout 1,2 title 'bpflp and kernel livepatch against N (qemu TCG, one run)'
set logscale xy
set xlabel 'N (functions in the patch)'
set key left top
set grid
set ylabel 'wall time (ms)'
set title 'apply, replace, disable'
sel(tool, op) = (strcol(1) eq tool && strcol(3) eq op) ? $4 : NaN
plot for [op in 'apply replace disable'] dir.'/scale.csv' skip 1 \
	using 2:(sel('bpflp', op)) with linespoints title 'bpflp '.op, \
     for [op in 'apply replace disable'] dir.'/scale.csv' skip 1 \
	using 2:(sel('livepatch', op)) with linespoints dashtype 2 title 'livepatch '.op
set ylabel 'bytes'
set title 'kernel memory one patch holds'
mem(tool, col) = strcol(1) eq tool ? column(col) : NaN
plot dir.'/scale-mem.csv' skip 1 using 2:(mem('bpflp', 4)) with linespoints title 'bpflp programs (memlock)', \
     dir.'/scale-mem.csv' skip 1 using 2:(mem('bpflp', 8)) with linespoints title 'bpflp maps (memlock)', \
     dir.'/scale-mem.csv' skip 1 using 2:(mem('bpflp', 10)) with linespoints title 'bpflp trampoline pages', \
     dir.'/scale-mem.csv' skip 1 using 2:(mem('livepatch', 11)) with linespoints dashtype 2 title 'livepatch module coresize'
unset multiplot
