package store

import (
	"context"
	"time"
)

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

// InsertPreparer is implemented by a document type with fields that
// depend on the document's id or audit fields — a signature, or a value
// encrypted with the id as associated data. Insert calls PrepareInsert
// after it has set the id and the audit fields (so that the receiver's Doc
// holds the values that will be stored) and before it encodes the
// document. An error stops the insert: nothing is stored, the Doc is left
// as it was, and Insert returns the error as it is.
type InsertPreparer interface {
	PrepareInsert(ctx context.Context) error
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
