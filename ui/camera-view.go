package main

// CameraView is the camera's part of the images panel: "Use camera",
// then the live picture, what it shows, "Take photo" and "Stop camera".
type CameraView struct {
	Camera *Camera
}
