from bot.simulation.harness import SimulatedBot


async def test_summary(sim: SimulatedBot) -> None:
    sent = await sim.say("/summary")
    print(sent)
    assert "Ukraine" in sent[0].visible_text
