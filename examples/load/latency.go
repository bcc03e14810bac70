package main

import (
	"math/bits"
	"time"
)

// subBuckets is how many buckets each power of two of microseconds is cut
// into: a recorded latency is known to within 1/subBuckets (1.6%).
const subBuckets = 64

// latencies is a histogram of request durations in fixed memory, however
// long the run: exact below 2·subBuckets µs, log-linear above.
type latencies struct {
	counts [2*subBuckets + 58*subBuckets]uint64
	n      uint64
	max    time.Duration
}

// bucket is the index of the bucket of v µs.
func bucket(v uint64) int {
	if v < 2*subBuckets {
		return int(v)
	}
	shift := bits.Len64(v) - 7 // v>>shift is in [subBuckets, 2·subBuckets)
	return 2*subBuckets + (shift-1)*subBuckets + int(v>>shift) - subBuckets
}

// upper is the largest value, in µs, that falls in bucket i.
func upper(i int) uint64 {
	if i < 2*subBuckets {
		return uint64(i)
	}
	i -= 2 * subBuckets
	shift := i/subBuckets + 1
	lo := uint64(i%subBuckets+subBuckets) << shift
	return lo + 1<<shift - 1
}

func (l *latencies) add(d time.Duration) {
	us := d.Microseconds()
	if us < 0 {
		us = 0
	}
	l.counts[bucket(uint64(us))]++
	l.n++
	l.max = max(l.max, d)
}

func (l *latencies) merge(o *latencies) {
	for i, c := range o.counts {
		l.counts[i] += c
	}
	l.n += o.n
	l.max = max(l.max, o.max)
}

// quantile is the q-quantile (0 < q ≤ 1): the upper end of the bucket that
// holds the ⌈q·n⌉-th smallest latency, so never below the true value. Zero
// for an empty histogram.
func (l *latencies) quantile(q float64) time.Duration {
	if l.n == 0 {
		return 0
	}
	rank := uint64(q*float64(l.n) + 0.999999)
	rank = min(max(rank, 1), l.n)
	var seen uint64
	for i, c := range l.counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(upper(i))*time.Microsecond, l.max)
		}
	}
	return l.max
}
