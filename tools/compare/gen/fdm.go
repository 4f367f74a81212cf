package main

import "github.com/dgml/dgml/geometry"

func fdmParts() map[string]*geometry.Mesh { return map[string]*geometry.Mesh{} }
