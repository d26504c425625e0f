package webos

import (
	"context"

	"github.com/webos-go/webos/trace"
)

func traceID(ctx context.Context) string { return trace.ID(ctx) }
