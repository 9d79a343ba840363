package domain

// NormalizePhone accepts digits with the country code first, 8 to 15 long,
// optionally with a leading "+", and returns the digits.
func NormalizePhone(s string) (string, bool) {
	if len(s) > 0 && s[0] == '+' {
		s = s[1:]
	}
	if len(s) < 8 || len(s) > 15 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	return s, true
}

// PhoneRule is the reason given for an invalid phone number.
const PhoneRule = "must be digits, 8-15 long"
