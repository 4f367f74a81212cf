package storetest

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/sqlite"
)

// BenchmarkBookings is a hundred people booking machine time at once
// through the booking service, on each store: a workshop of ten public
// machines open 09:00-21:00, one-to-three-hour sessions at random
// quarter hours over two weeks, so that many requests meet. It reports
// requests a second, how many were booked and refused, and the double
// bookings found afterwards by comparing every pair of bookings of each
// machine (which must be none).
func BenchmarkBookings(b *testing.B) {
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			var db interface {
				booking.Store
				facility.Store
				account.Store
				dgml.Atomic
			}
			if kind == "sqlite" {
				s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "dgml.db"))
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { s.Close() })
				db = s
			} else {
				PostgresURL(b)
				pg, _ := PostgresSchema(b)
				db = pg
			}
			var week []facility.Window
			for _, d := range []string{"mo", "tu", "we", "th", "fr", "sa", "su"} {
				week = append(week, facility.Window{Day: d, From: "09:00", To: "21:00"})
			}
			f := &facility.Facility{Name: "Busy Lab", Location: geo.Point{Lat: 37.98, Lon: 23.73}}
			for i := range 10 {
				f.Machines = append(f.Machines, facility.Machine{Process: design.ProcessFDM, Name: fmt.Sprint("Printer ", i+1),
					Hours: &facility.Hours{Weekly: week}, Use: &facility.Use{MaxHours: 3, Rules: []facility.UseRule{{Who: facility.WhoPublic, PricePerHour: 3}}}})
			}
			if err := db.CreateFacility(ctx, f); err != nil {
				b.Fatal(err)
			}
			const clients = 100
			users := make([]*account.User, clients)
			for i := range users {
				u, err := db.CreateUser(ctx, fmt.Sprint("user", i), "x", false)
				if err != nil {
					b.Fatal(err)
				}
				users[i] = u
			}
			day0 := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
			svc := &booking.Service{Store: db, Facilities: db, Roles: db, Now: func() time.Time { return day0 }}
			var booked, refused atomic.Int64
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(c), 7))
					for next.Add(1) <= int64(b.N) {
						m := f.Machines[rng.IntN(len(f.Machines))].ID
						s := day0.Add(time.Duration(rng.IntN(14))*24*time.Hour + 9*time.Hour + time.Duration(rng.IntN(37))*15*time.Minute)
						_, err := svc.Book(ctx, users[c], m, booking.Request{Start: s, End: s.Add(time.Duration(1+rng.IntN(3)) * time.Hour)})
						switch {
						case err == nil:
							booked.Add(1)
						case dgml.KindOf(err) == dgml.Conflict || dgml.KindOf(err) == dgml.Invalid:
							refused.Add(1) // taken, or past closing
						default:
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			took := time.Since(start)
			b.StopTimer()
			double := 0
			for _, m := range f.Machines {
				list, err := db.Bookings(ctx, booking.Filter{Machine: m.ID})
				if err != nil {
					b.Fatal(err)
				}
				for i := range list {
					for j := i + 1; j < len(list); j++ {
						if list[i].Unit == list[j].Unit && list[i].Start.Before(list[j].End) && list[j].Start.Before(list[i].End) {
							double++
						}
					}
				}
			}
			b.ReportMetric(float64(b.N)/took.Seconds(), "requests/s")
			b.ReportMetric(float64(booked.Load()), "booked")
			b.ReportMetric(float64(refused.Load()), "refused")
			b.ReportMetric(float64(double), "double-bookings")
			if double > 0 {
				b.Errorf("%d double bookings", double)
			}
		})
	}
}
