package idempotency

// keyRow is one idempotency_keys row (migrations 0013).
type keyRow struct {
	Owner          string `gorm:"primaryKey"`
	IdempotencyKey string `gorm:"primaryKey"`
	Method         string
	Path           string
	BodyHash       string
	// Status is nil while the first request is in progress.
	Status       *int
	ContentType  string
	ResponseBody []byte
	// CreatedAt is Unix microseconds on the service clock.
	CreatedAt int64
}

func (keyRow) TableName() string { return "idempotency_keys" }

func (r keyRow) response() *Response {
	return &Response{Status: *r.Status, ContentType: r.ContentType, Body: r.ResponseBody}
}
