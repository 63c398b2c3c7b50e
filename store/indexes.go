package store

import (
	"context"
	"pinggu"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Collection names, all in one place.
const (
	colUnits            = "units"
	colQuestionnaires   = "questionnaires"
	colRounds           = "rounds"
	colResponses        = "responses"
	colTallies          = "tallies"
	colSettings         = "settings"
	colReports          = "reports" // metadata; the files are in the GridFS bucket "reports"
	colJobs             = "jobs"
	colIndicatorSystems = "indicatorSystems"
	colInputs           = "inputs"
	colAdjustments      = "adjustments"
	colSelfEntries      = "selfEntries"    // _id round/unit/indicator: a unit's self-assessment of a leaf
	colSelfSheets       = "selfSheets"     // _id round/unit: the state of a unit's self-assessment
	colAppeals          = "appeals"        // _id random: units' appeals and their answers
	colRectifications   = "rectifications" // _id derived from round/unit/indicator for lost points, random for findings
	colPlans            = "plans"
	colTasks            = "tasks" // versioned task lists; the plan names the current one
	colProgress         = "progress"
	colUnitTokens       = "unitTokens" // _id is the token's SHA-256
	colUsers            = "users"
	colSessions         = "sessions"    // _id is the session token's SHA-256
	colAPITokens        = "apiTokens"   // _id is the token's SHA-256
	colAudit            = "audit"       // insert only
	colDevices          = "devices"     // _id round/device: which devices answered a round
	colExclusions       = "exclusions"  // _id is the response id
	colFlagged          = "flagged"     // _id is the response id: the flagged few, so review never scans responses
	colInvitations      = "invitations" // _id round/code
	colRedemptions      = "redemptions" // _id round/code: a used code and its submission
)

// indexes declares every secondary index. Primary keys carry the main
// uniqueness rules: a response's _id is its round and submission id, so a
// resubmit collides on insert; a questionnaire's _id is "code@version".
// A function, not a variable: the driver writes into the option builders
// it is given, so each store gets its own.
func indexes() map[string][]mongo.IndexModel {
	return map[string][]mongo.IndexModel{
		colQuestionnaires: {
			{Keys: bson.D{{Key: "code", Value: 1}, {Key: "version", Value: -1}}, Options: options.Index().SetUnique(true).SetName("code_version")},
		},
		colResponses: {
			{Keys: bson.D{{Key: "round", Value: 1}, {Key: "unit", Value: 1}, {Key: "submittedAt", Value: 1}}, Options: options.Index().SetName("round_unit_time")},
		},
		colReports: {
			{Keys: bson.D{{Key: "round", Value: 1}, {Key: "createdAt", Value: -1}}, Options: options.Index().SetName("round_created")},
		},
		colIndicatorSystems: {
			{Keys: bson.D{{Key: "code", Value: 1}, {Key: "version", Value: -1}}, Options: options.Index().SetUnique(true).SetName("code_version")},
		},
		colInputs: {
			{Keys: bson.D{{Key: "round", Value: 1}, {Key: "unit", Value: 1}}, Options: options.Index().SetName("round_unit")},
		},
		colAdjustments: {
			{Keys: bson.D{{Key: "round", Value: 1}, {Key: "unit", Value: 1}}, Options: options.Index().SetName("round_unit")},
		},
		colRectifications: {
			{Keys: bson.D{{Key: "round", Value: 1}, {Key: "unit", Value: 1}}, Options: options.Index().SetName("round_unit")},
		},
		colAppeals: {
			{Keys: bson.D{{Key: "round", Value: 1}, {Key: "unit", Value: 1}}, Options: options.Index().SetName("round_unit")},
		},
		colSelfEntries: {
			{Keys: bson.D{{Key: "round", Value: 1}, {Key: "unit", Value: 1}}, Options: options.Index().SetName("round_unit")},
		},
		colTasks: {
			{Keys: bson.D{{Key: "plan", Value: 1}, {Key: "version", Value: 1}, {Key: "seq", Value: 1}}, Options: options.Index().SetName("plan_version_seq")},
		},
		colProgress: {
			{Keys: bson.D{{Key: "plan", Value: 1}, {Key: "task", Value: 1}}, Options: options.Index().SetName("plan_task")},
		},
		colAPITokens: {
			{Keys: bson.D{{Key: "user", Value: 1}}, Options: options.Index().SetName("user")},
		},
		colAudit: {
			{Keys: bson.D{{Key: "at", Value: -1}}, Options: options.Index().SetName("at")},
		},
		colInvitations: {
			{Keys: bson.D{{Key: "round", Value: 1}, {Key: "unit", Value: 1}}, Options: options.Index().SetName("round_unit")},
		},
		colExclusions: {
			{Keys: bson.D{{Key: "round", Value: 1}}, Options: options.Index().SetName("round")},
		},
		colFlagged: {
			{Keys: bson.D{{Key: "round", Value: 1}, {Key: "unit", Value: 1}}, Options: options.Index().SetName("round_unit")},
		},
		colSessions: {
			{Keys: bson.D{{Key: "user", Value: 1}}, Options: options.Index().SetName("user")},
		},
		colJobs: {
			{Keys: bson.D{{Key: "round", Value: 1}, {Key: "createdAt", Value: -1}}, Options: options.Index().SetName("round_created")},
		},
		colTallies: {
			{Keys: bson.D{{Key: "round", Value: 1}, {Key: "unit", Value: 1}}, Options: options.Index().SetName("round_unit")},
		},
	}
}

func (s *Store) ensureIndexes(ctx context.Context) error {
	for col, models := range indexes() {
		if _, err := s.db.Collection(col).Indexes().CreateMany(ctx, models); err != nil {
			return mapErr(wrapf(err, "ensure indexes of %s", col), pinggu.ObjDatabase)
		}
	}
	return nil
}
