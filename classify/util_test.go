package classify

import "os"

func readFile(name string) ([]byte, error) { return os.ReadFile(name) }

func writeFile(name, data string) error { return os.WriteFile(name, []byte(data), 0o644) }
