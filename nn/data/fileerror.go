package data

// FileError is an error about one file a person gave, as os.PathError is
// about a path: the file's name, and what is wrong with it. Its text is
// "name: what is wrong"; a page that shows the name apart takes Err.
type FileError struct {
	Name string // the file's name, as the person knows it
	Err  error
}

func (e *FileError) Error() string { return e.Name + ": " + e.Err.Error() }

func (e *FileError) Unwrap() error { return e.Err }
