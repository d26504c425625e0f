package store

import "time"

// Doc holds the fields every stored document has: its id and the audit
// fields the store sets. A document type embeds it inline:
//
//	type Note struct {
//		store.Doc `bson:",inline"`
//		Title     string `bson:"title" json:"title"`
//	}
//
// Ids are strings: by default the hex form of a new ObjectID (24 characters,
// ordered by creation time), which travels through URLs and JSON unchanged.
// An Insert keeps an id that is already set, so natural keys work too.
// Times are UTC with millisecond precision, as the database stores them.
type Doc struct {
	ID        string    `bson:"_id" json:"id"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt time.Time `bson:"updated_at" json:"updated_at"`
	CreatedBy string    `bson:"created_by" json:"created_by,omitempty"`
	UpdatedBy string    `bson:"updated_by" json:"updated_by,omitempty"`
}

// StoreDoc returns d itself. It is how a collection reaches the embedded Doc
// of any document type without reflection: every struct that embeds Doc
// implements [Document] through it.
func (d *Doc) StoreDoc() *Doc { return d }

// Document is implemented by a pointer to any struct that embeds [Doc].
type Document interface {
	StoreDoc() *Doc
}

// Field names the store manages. Updates may not touch them.
const (
	FieldID        = "_id"
	FieldCreatedAt = "created_at"
	FieldUpdatedAt = "updated_at"
	FieldCreatedBy = "created_by"
	FieldUpdatedBy = "updated_by"
)

var managedFields = [...]string{FieldID, FieldCreatedAt, FieldUpdatedAt, FieldCreatedBy, FieldUpdatedBy}
