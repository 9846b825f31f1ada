"""Reading the reports (index time): files found and decoded (:mod:`.loader`, :mod:`.formats`),
what a report says about itself (:mod:`.documents`), chunks (:mod:`.chunker`), one file processed
into its record (:mod:`.process`, :mod:`.result`), many files in worker processes
(:mod:`.workers`)."""
