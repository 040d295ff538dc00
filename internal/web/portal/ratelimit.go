package portal

import (
	"math"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"portico/internal/portico"
)

// ipLimiter allows an action burst times per client address and then once
// per window/burst (5 per 10 minutes: one more every 2 minutes).
//
// The counters live in this process's memory: behind a load balancer each
// node keeps its own, so N nodes allow up to N times the rate. That is
// enough to stop one address from flooding signups or mailboxes, which is
// all these limits are for, and it keeps a database write off every form
// post.
type ipLimiter struct {
	every time.Duration
	burst int
	mu    sync.Mutex
	byIP  map[string]*rate.Limiter
	swept time.Time
}

func newIPLimiter(burst int, window time.Duration) *ipLimiter {
	return &ipLimiter{every: window / time.Duration(burst), burst: burst, byIP: map[string]*rate.Limiter{}}
}

// allow takes one token for ip, or returns an ETOOMANY error saying when
// to come back.
func (l *ipLimiter) allow(ip string) error {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	lim := l.byIP[ip]
	if lim == nil {
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.byIP[ip] = lim
	}
	res := lim.ReserveN(now, 1)
	wait := res.DelayFrom(now)
	if wait == 0 {
		return nil
	}
	res.CancelAt(now)
	minutes := int(math.Ceil(wait.Minutes()))
	return &portico.Error{Code: portico.ETOOMANY, RetryAfter: int(math.Ceil(wait.Seconds())),
		Message: "Too many attempts from your network. Please try again in " + strconv.Itoa(minutes) + " minute" + plural(minutes) + "."}
}

// sweep forgets addresses whose allowance is full again, so the map holds
// only recent senders. It runs at most once a window.
func (l *ipLimiter) sweep(now time.Time) {
	if now.Sub(l.swept) < l.every*time.Duration(l.burst) {
		return
	}
	l.swept = now
	for ip, lim := range l.byIP {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.byIP, ip)
		}
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
