ALTER TABLE "poll_ballots" ALTER COLUMN "choice" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "poll_ballots" ALTER COLUMN "receipt" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "poll_ballots" ADD COLUMN "sealed" "bytea";--> statement-breakpoint
ALTER TABLE "poll_ballots" ADD COLUMN "receipt_tag" text;--> statement-breakpoint
ALTER TABLE "polls" ADD COLUMN "key_check" text;--> statement-breakpoint
CREATE UNIQUE INDEX "poll_ballots_receipt_tag_key" ON "poll_ballots" USING btree ("poll_id","receipt_tag");--> statement-breakpoint
ALTER TABLE "poll_ballots" ADD CONSTRAINT "poll_ballots_sealed_check" CHECK (("poll_ballots"."sealed" is null and "poll_ballots"."receipt_tag" is null and "poll_ballots"."choice" is not null and "poll_ballots"."receipt" is not null) or ("poll_ballots"."sealed" is not null and "poll_ballots"."receipt_tag" is not null and "poll_ballots"."choice" is null and "poll_ballots"."receipt" is null));