package theory

// Panic messages for programmer errors.
const (
	errRuleSize = "theory: Gauss–Hermite rule size out of range [1, 4096]"
)
