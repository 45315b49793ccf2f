# SPDX-License-Identifier: GPL-2.0
# Time and memory against N from selftests/tests/bench/scale.sh's CSVs, drawn on
# the host after the VM run:
#   gnuplot -e "dir='build/bench'" selftests/tests/bench/plot.gp   ->  dir/scale.png
if (!exists("dir")) dir = 'build/bench'
set terminal pngcairo size 1500,500 noenhanced
set output dir.'/scale.png'
set datafile separator ','
# rows TOOL OP: one series of scale.csv, so that lines join its points only.
rows(tool, op) = sprintf('< grep "^%s,[0-9]*,%s," %s/scale.csv', tool, op, dir)
mem(tool) = sprintf('< grep "^%s," %s/scale-mem.csv', tool, dir)
# k_all: the k-of-N replaces with k = N (every body changed).
k_all = sprintf('< grep -E "^bpflp,([0-9]+),replace_k\\1," %s/scale.csv', dir)
k_all_dispatch = sprintf('< grep -E "^bpflp-dispatch,([0-9]+),replace_k\\1," %s/scale.csv', dir)
set multiplot layout 1,3 title 'bpflp and kernel livepatch against N (2 vCPUs, qemu TCG, one run)'
set logscale xy
set xlabel 'N (functions in the patch)'
set key left top
set grid

set ylabel 'wall time (ms)'
set title 'apply, replace (no body changed, 1, all), disable'
set key font ',8' spacing 0.9
plot for [op in 'apply replace disable'] rows('bpflp', op) using 2:4 with linespoints title 'bpflp '.op, \
     rows('bpflp', 'replace_k1') using 2:4 with linespoints title 'bpflp replace, 1 body changed', \
     k_all using 2:4 with linespoints title 'bpflp replace, every body changed', \
     for [op in 'apply replace disable'] rows('livepatch', op) using 2:4 with linespoints dashtype 2 title 'livepatch '.op, \
     rows('bpflp-dispatch', 'replace_k1') using 2:4 with linespoints dashtype 3 title 'bpflp --dispatch replace, 1 body changed', \
     k_all_dispatch using 2:4 with linespoints dashtype 3 title 'bpflp --dispatch replace, every body changed', \
     rows('bpflp-dispatch', 'disable') using 2:4 with linespoints dashtype 3 title 'bpflp --dispatch disable'

set key default left top
set ylabel 'us'
set title 'bpflp commit (the instant the new set takes effect)'
floor = system(sprintf("tail -n 1 %s/floor.csv | cut -d, -f1,3", dir))
set label 1 sprintf('one bare map update: cold, warm median = %s us', floor) at graph 0.05, graph 0.05
plot for [op in 'apply replace disable'] rows('bpflp', op) using 2:8 with linespoints title 'commit in '.op
unset label 1

set ylabel 'bytes'
set title 'kernel memory one patch holds'
plot mem('bpflp') using 2:4 with linespoints title 'bpflp programs (memlock)', \
     mem('bpflp') using 2:8 with linespoints title 'bpflp maps (memlock)', \
     mem('bpflp') using 2:10 with linespoints title 'bpflp trampoline pages', \
     mem('livepatch') using 2:11 with linespoints dashtype 2 title 'livepatch module coresize'
unset multiplot
