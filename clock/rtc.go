package clock

import "sigil/arch"

// MC146818 CMOS real-time clock (datasheet register map; the PC puts the
// century in register 0x32).
const (
	cmosIndex = 0x70
	cmosData  = 0x71

	rtcSeconds = 0x00
	rtcMinutes = 0x02
	rtcHours   = 0x04
	rtcDay     = 0x07
	rtcMonth   = 0x08
	rtcYear    = 0x09
	rtcStatusA = 0x0a
	rtcStatusB = 0x0b
	rtcCentury = 0x32

	statusAUpdating = 0x80
	statusBBinary   = 0x04
	statusB24Hour   = 0x02
	hourPM          = 0x80
	cmosNMIDisable  = 0x80
)

//go:nosplit
func cmos(reg uint8) uint8 {
	arch.Outb(cmosIndex, reg|cmosNMIDisable)
	return arch.Inb(cmosData)
}

type rtcTime struct{ sec, min, hour, day, month, year, century uint8 }

//go:nosplit
func readRaw() (t rtcTime) {
	for cmos(rtcStatusA)&statusAUpdating != 0 {
	}
	t.sec = cmos(rtcSeconds)
	t.min = cmos(rtcMinutes)
	t.hour = cmos(rtcHours)
	t.day = cmos(rtcDay)
	t.month = cmos(rtcMonth)
	t.year = cmos(rtcYear)
	t.century = cmos(rtcCentury)
	return
}

// readRTC returns the RTC's time in seconds since the Unix epoch, reading
// until two consecutive reads agree so an update cannot tear the value.
//
//go:nosplit
func readRTC() int64 {
	t := readRaw()
	for {
		u := readRaw()
		if u == t {
			break
		}
		t = u
	}
	return rtcToUnix(t, cmos(rtcStatusB))
}

//go:nosplit
func bcd(v uint8) uint8 { return v&0xf + v>>4*10 }

// rtcToUnix converts register values to Unix seconds given status B's
// format bits (binary or BCD, 12 or 24 hour).
//
//go:nosplit
func rtcToUnix(t rtcTime, statusB uint8) int64 {
	pm := t.hour&hourPM != 0
	t.hour &^= hourPM
	if statusB&statusBBinary == 0 {
		t.sec, t.min, t.hour = bcd(t.sec), bcd(t.min), bcd(t.hour)
		t.day, t.month, t.year, t.century = bcd(t.day), bcd(t.month), bcd(t.year), bcd(t.century)
	}
	if statusB&statusB24Hour == 0 {
		t.hour %= 12
		if pm {
			t.hour += 12
		}
	}
	year := int64(t.century)*100 + int64(t.year)
	if t.century == 0 {
		year = 2000 + int64(t.year)
	}
	days := daysFromCivil(year, int64(t.month), int64(t.day))
	return days*86400 + int64(t.hour)*3600 + int64(t.min)*60 + int64(t.sec)
}

// daysFromCivil counts days from 1970-01-01 to y-m-d in the proleptic
// Gregorian calendar, using 400-year eras of 146097 days.
//
//go:nosplit
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
