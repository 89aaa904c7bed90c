# boot.gp - bench/'s boot-time chart, two panels:
#   left: kernel start -> real root init, median per initramfs variant, min-max bars;
#   right: the same boots split into phases on the kernel clock (medians, stacked).
# gnuplot -e "datafile='DIR/boot-chart.dat'; phasefile='DIR/boot-phases.dat';
#             outfile='DIR/boot.png'" bench/lib/boot.gp   (phasefile optional)
if (!exists("phasefile")) phasefile = ""
set terminal pngcairo size 1300,560 font "sans,10"
set output outfile
set multiplot layout 1,2 title "dracut boot to the real root under QEMU TCG (1 vCPU, 512 MiB), guest kernel clock"
set title "Kernel start → root init: median, min–max"
set ylabel "seconds"
set style fill solid 0.6 border -1
set boxwidth 0.8
set yrange [0:*]
set grid ytics
set key off
set xtics rotate by -25 nomirror
color(v) = v eq "cocosecret" ? 0x2b7bba : (v eq "token" ? 0x3cae63 : (v eq "crypt-keyfile" ? 0x999999 : 0xe08a2b))
plot datafile using 1:5:(color(stringcolumn(2))):xtic(sprintf("%s\n%s", stringcolumn(3), stringcolumn(2))) \
        with boxes lc rgb variable, \
     '' using 1:5:4:6 with yerrorbars lc rgb "black" pt 0, \
     '' using 1:(0):(sprintf("%.1f", $5)) with labels offset 0,1
if (phasefile ne "") {
    set title "Where the time goes (medians of each phase)"
    set style data histograms
    set style histogram rowstacked
    set boxwidth 0.7
    set key top left invert
    set yrange [0:50]
    set xtics rotate by -25 nomirror
    plot phasefile using 2:xtic(1) title "kernel → device-mapper up (unlock starts)" lc rgb 0xcccccc, \
         '' using 3 title "unlock + root mount" lc rgb 0x2b7bba, \
         '' using 4 title "root mounted → switch\\_root (pre-pivot, cleanup, wipe)" lc rgb 0xe0442b, \
         '' using 5 title "switch\\_root → root init marker" lc rgb 0x66aa55
}
unset multiplot
