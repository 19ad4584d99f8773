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

# Only where the network-namespace section ran.
if (system("test -f '".dir."/latency-netns.dat' && echo 1") eq "1") {
  set output dir."/performance/latency_netns_cdf.png"
  set title "End-to-end latency CDF on hosts in network namespaces, the switch delaying each frame"
  set key right bottom
  set xlabel "latency (ms)"
  set ylabel "percentile"
  plot dir."/latency-netns.dat" using 2:1 with lines lw 2 title "raw OpenDHT put -> listen", \
       "" using 3:1 with lines lw 2 title "dhtpush POST -> SSE", \
       "" using 4:1 with lines lw 2 title "stock OpenDHT proxy POST -> listen", \
       "" using 5:1 with lines lw 2 dt 2 title "dhtpush POST -> SSE on one proxy (no DHT)"
}

set output dir."/performance/memory.png"
set title "Proxy resident memory vs subscriptions"
set xlabel "subscriptions held (stock: streaming listens it accepted)"
set ylabel "RSS (MiB)"
set key left top
plot dir."/capacity-dhtpush.dat" using 1:2 with linespoints lw 2 title "dhtpush-node", \
     dir."/capacity-stock.dat" using 1:2 with linespoints lw 2 title "stock OpenDHT proxy (dhtnode)"

# Soak: the curves of each run over time (the higher rate only when it ran).
soak(name) = dir."/soak-".name.".dat"
have(name) = system("test -f '".soak(name)."' && echo 1") eq "1"
# Not with --soak 0.
if (have("1-dhtpush")) {
  set output dir."/performance/soak.png"
  set terminal pngcairo size 1100,800 noenhanced font ",10"
  set multiplot layout 2,2 title "Soak: offered rate to node B, device on node A"
  set key left bottom
  set xlabel "minutes"
  set title "rate answered (2xx) by B"
  set ylabel "answered 2xx per second"
  plot soak("1-dhtpush") using 1:2 with lines lw 2 title "dhtpush", \
       soak("2-stock") using 1:2 with lines lw 2 title "stock proxy", \
       (have("3-dhtpush-half") ? soak("3-dhtpush-half") : soak("1-dhtpush")) using 1:(have("3-dhtpush-half") ? $2 : NaN) with lines lw 2 title "dhtpush, half the rate, device away 20 s", \
       (have("4-dhtpush-wide") ? soak("4-dhtpush-wide") : soak("1-dhtpush")) using 1:(have("4-dhtpush-wide") ? $2 : NaN) with lines lw 2 title "dhtpush --inbox-keys wide", \
       (have("5-dhtpush-slotted") ? soak("5-dhtpush-slotted") : soak("1-dhtpush")) using 1:(have("5-dhtpush-slotted") ? $2 : NaN) with lines lw 2 title "dhtpush --inbox-keys slotted"
  set title "delivery latency p99 (POST at B -> event at A's device)"
  set ylabel "delivery p99 (ms)"
  set logscale y
  set key left top
  plot soak("1-dhtpush") using 1:4 with lines lw 2 title "dhtpush", \
       soak("2-stock") using 1:4 with lines lw 2 title "stock proxy"
  set title "B's health endpoint, p99 (probed every 100 ms)"
  set ylabel "B's health p99 (ms)"
  plot soak("1-dhtpush") using 1:5 with lines lw 2 title "dhtpush /health", \
       soak("2-stock") using 1:5 with lines lw 2 title "stock GET /"
  unset logscale y
  set title "resident memory of A and B"
  set ylabel "RSS (MiB)"
  plot soak("1-dhtpush") using 1:6 with lines lw 2 title "dhtpush A (device's proxy)", \
       soak("1-dhtpush") using 1:7 with lines lw 2 title "dhtpush B (accepting)", \
       soak("2-stock") using 1:6 with lines lw 2 dt 2 title "stock A", \
       soak("2-stock") using 1:7 with lines lw 2 dt 2 title "stock B"
  unset multiplot
}
