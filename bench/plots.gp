# Plots for docs/performance.md; run as: gnuplot -e "dir='build/bench'" bench/plots.gp
set terminal pngcairo size 900,540 noenhanced font ",10"
set grid

set output dir."/performance/latency_cdf.png"
set title "End-to-end latency CDF (N = 10 nodes on loopback)"
set key right bottom
set xlabel "latency (ms)"
set ylabel "percentile"
set logscale x
plot dir."/latency-10.dat" using 2:1 with lines lw 2 title "raw OpenDHT put -> listen", \
     "" using 3:1 with lines lw 2 title "dhtpush POST -> SSE", \
     "" using 4:1 with lines lw 2 title "stock OpenDHT proxy POST -> listen", \
     "" using 5:1 with lines lw 2 dt 2 title "dhtpush POST -> SSE on one proxy (no DHT)"
unset logscale x

set output dir."/performance/memory.png"
set title "Proxy resident memory vs subscriptions"
set xlabel "subscriptions held (stock: streaming listens it accepted)"
set ylabel "RSS (MiB)"
set key left top
plot dir."/capacity-dhtpush.dat" using 1:2 with linespoints lw 2 title "dhtpush-node", \
     dir."/capacity-stock.dat" using 1:2 with linespoints lw 2 title "stock OpenDHT proxy (dhtnode)"
