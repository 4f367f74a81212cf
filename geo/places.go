package geo

import "strings"

// places is a small offline gazetteer: the demo cities and the largest
// cities of each continent, so a person can type a place instead of
// coordinates without the node calling any service.
var places = map[string]Point{
	"athens": {37.9838, 23.7275}, "barcelona": {41.3874, 2.1686}, "detroit": {42.3314, -83.0458},
	"nairobi": {-1.2921, 36.8219}, "bangalore": {12.9716, 77.5946}, "bengaluru": {12.9716, 77.5946},
	"sao paulo": {-23.5505, -46.6333}, "são paulo": {-23.5505, -46.6333}, "london": {51.5072, -0.1276},
	"paris": {48.8566, 2.3522}, "berlin": {52.52, 13.405}, "madrid": {40.4168, -3.7038}, "rome": {41.9028, 12.4964},
	"amsterdam": {52.3676, 4.9041}, "brussels": {50.8503, 4.3517}, "vienna": {48.2082, 16.3738},
	"zurich": {47.3769, 8.5417}, "copenhagen": {55.6761, 12.5683}, "stockholm": {59.3293, 18.0686},
	"oslo": {59.9139, 10.7522}, "helsinki": {60.1699, 24.9384}, "warsaw": {52.2297, 21.0122},
	"prague": {50.0755, 14.4378}, "lisbon": {38.7223, -9.1393}, "dublin": {53.3498, -6.2603},
	"istanbul": {41.0082, 28.9784}, "thessaloniki": {40.6401, 22.9444}, "munich": {48.1351, 11.582},
	"new york": {40.7128, -74.006}, "los angeles": {34.0522, -118.2437}, "chicago": {41.8781, -87.6298},
	"san francisco": {37.7749, -122.4194}, "boston": {42.3601, -71.0589}, "toronto": {43.6532, -79.3832},
	"montreal": {45.5017, -73.5673}, "mexico city": {19.4326, -99.1332}, "bogota": {4.711, -74.0721},
	"lima": {-12.0464, -77.0428}, "buenos aires": {-34.6037, -58.3816}, "santiago": {-33.4489, -70.6693},
	"rio de janeiro": {-22.9068, -43.1729}, "lagos": {6.5244, 3.3792}, "accra": {5.6037, -0.187},
	"cairo": {30.0444, 31.2357}, "addis ababa": {8.9806, 38.7578}, "kampala": {0.3476, 32.5825},
	"kigali": {-1.9441, 30.0619}, "dar es salaam": {-6.7924, 39.2083}, "johannesburg": {-26.2041, 28.0473},
	"cape town": {-33.9249, 18.4241}, "casablanca": {33.5731, -7.5898}, "mumbai": {19.076, 72.8777},
	"delhi": {28.7041, 77.1025}, "new delhi": {28.6139, 77.209}, "chennai": {13.0827, 80.2707},
	"dhaka": {23.8103, 90.4125}, "karachi": {24.8607, 67.0011}, "shenzhen": {22.5431, 114.0579},
	"beijing": {39.9042, 116.4074}, "shanghai": {31.2304, 121.4737}, "tokyo": {35.6762, 139.6503},
	"seoul": {37.5665, 126.978}, "singapore": {1.3521, 103.8198}, "jakarta": {-6.2088, 106.8456},
	"manila": {14.5995, 120.9842}, "bangkok": {13.7563, 100.5018}, "hanoi": {21.0278, 105.8342},
	"sydney": {-33.8688, 151.2093}, "melbourne": {-37.8136, 144.9631}, "auckland": {-36.8485, 174.7633},
}

// Place finds a place by name (case and surrounding spaces ignored; a
// ", country" suffix is allowed).
func Place(name string) (Point, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	if p, ok := places[n]; ok {
		return p, true
	}
	if i := strings.IndexByte(n, ','); i > 0 {
		p, ok := places[strings.TrimSpace(n[:i])]
		return p, ok
	}
	return Point{}, false
}
