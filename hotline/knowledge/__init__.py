"""The knowledge base (知识库, P1): articles agents answer callers from — water prices,
application procedures, outage questions, water-quality advice — kept with every revision.
A core package: work orders cite an article's revision when closed on the call."""
