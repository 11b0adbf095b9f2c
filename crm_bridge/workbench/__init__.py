"""The workbench's domain side: queues, the SLA clock and what the case page shows (read side), and the work
done on a case (case actions, duplicates)."""
