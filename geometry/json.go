package geometry

import (
	"encoding/json"
	"math"
)

// jsonFloat writes a float rounded to a micrometre, which is all a mesh
// measure means.
func jsonFloat(f float64) ([]byte, error) {
	return json.Marshal(math.Round(f*1000) / 1000)
}
