package cloud

// Operation names, one per Provider method: errors, metrics and
// conditions name the operation the same way whatever the cloud.
const (
	OpAuthenticate = "authenticate"
	OpGetServer    = "getServer"
	OpCreateImage  = "createImage"
	OpGetImage     = "getImage"
	OpGetImages    = "getImages"
	OpFindImages   = "findImages"
	OpDeleteImage  = "deleteImage"
)
