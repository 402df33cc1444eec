ALTER TABLE "polls" ADD COLUMN "election" jsonb;--> statement-breakpoint
ALTER TABLE "polls" ADD COLUMN "runoff_of" text;