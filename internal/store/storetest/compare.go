package storetest

import (
	"fmt"
	"reflect"
	"time"
)

var timeType = reflect.TypeFor[time.Time]()

// diff describes the first difference between want and got, or returns "".
// Times are equal when they are the same instant once truncated to
// microseconds, and a non-zero time read back must be in UTC. Nil and empty
// slices and maps are equal.
func diff(want, got any) string {
	return diffValue(reflect.ValueOf(want), reflect.ValueOf(got), "")
}

func diffValue(w, g reflect.Value, path string) string {
	if !w.IsValid() || !g.IsValid() {
		if w.IsValid() != g.IsValid() {
			return fmt.Sprintf("%s: want %v, got %v", orRoot(path), w, g)
		}
		return ""
	}
	if w.Type() != g.Type() {
		return fmt.Sprintf("%s: want type %s, got %s", orRoot(path), w.Type(), g.Type())
	}
	if w.Type() == timeType {
		wt, gt := w.Interface().(time.Time), g.Interface().(time.Time)
		if !wt.Truncate(time.Microsecond).Equal(gt.Truncate(time.Microsecond)) {
			return fmt.Sprintf("%s: want time %s, got %s", orRoot(path), wt.Format(time.RFC3339Nano), gt.Format(time.RFC3339Nano))
		}
		if !gt.IsZero() && gt.Location() != time.UTC {
			return fmt.Sprintf("%s: time %s is not in UTC", orRoot(path), gt)
		}
		return ""
	}
	switch w.Kind() {
	case reflect.Pointer, reflect.Interface:
		if w.IsNil() || g.IsNil() {
			if w.IsNil() != g.IsNil() {
				return fmt.Sprintf("%s: want %s, got %s", orRoot(path), show(w), show(g))
			}
			return ""
		}
		return diffValue(w.Elem(), g.Elem(), path)
	case reflect.Slice, reflect.Array:
		if w.Len() != g.Len() {
			return fmt.Sprintf("%s: want %d elements %v, got %d %v", orRoot(path), w.Len(), w, g.Len(), g)
		}
		for i := range w.Len() {
			if d := diffValue(w.Index(i), g.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Map:
		if w.Len() != g.Len() {
			return fmt.Sprintf("%s: want %d entries %v, got %d %v", orRoot(path), w.Len(), w, g.Len(), g)
		}
		for _, k := range w.MapKeys() {
			gv := g.MapIndex(k)
			if !gv.IsValid() {
				return fmt.Sprintf("%s: key %v missing", orRoot(path), k)
			}
			if d := diffValue(w.MapIndex(k), gv, fmt.Sprintf("%s[%v]", path, k)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Struct:
		for i := range w.NumField() {
			f := w.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			if d := diffValue(w.Field(i), g.Field(i), path+"."+f.Name); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(w.Interface(), g.Interface()) {
		return fmt.Sprintf("%s: want %#v, got %#v", orRoot(path), w.Interface(), g.Interface())
	}
	return ""
}

func show(v reflect.Value) string {
	if v.IsNil() {
		return "nil"
	}
	return fmt.Sprintf("%+v", v.Elem().Interface())
}

func orRoot(path string) string {
	if path == "" {
		return "value"
	}
	return path
}
