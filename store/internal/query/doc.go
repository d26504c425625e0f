// Package query is the engine-neutral form of a store query: the filter
// tree, sort keys, paging limits and update operations that package store
// builds from its typed API and that each storage engine (MongoDB, SQLite)
// translates into its own language. It holds data only; values are already
// normalised to the BSON value types listed at [Value].
package query
