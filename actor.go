package pinggu

import "context"

type actorKey struct{}

// WithActor records who acts in ctx: a person ("admin") or a job
// ("job:round:close"). Every recorded change names its actor.
func WithActor(ctx context.Context, who string) context.Context {
	return context.WithValue(ctx, actorKey{}, who)
}

// Actor is who acts in ctx, "system" when nobody was named.
func Actor(ctx context.Context) string {
	if who, ok := ctx.Value(actorKey{}).(string); ok && who != "" {
		return who
	}
	return "system"
}
